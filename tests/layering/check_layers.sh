#!/usr/bin/env bash
# The layer rule of docs/design.md: a file of weft_core includes headers of its own layer or
# of lower ones, never of a higher one; the built-in plugins include the SDK and nothing of
# the core. Reads every #include "..." line; exits 1 naming each offending line.
#   usage: check_layers.sh SOURCE_DIR
set -euo pipefail
root=${1:?usage: check_layers.sh SOURCE_DIR}

# Lowest first. A folder's rank is its first path segment's (store/sqlite is store).
layers=(base event store identity plugin workflow delivery serve app)
rank_of() {
  local i
  for i in "${!layers[@]}"; do
    [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }
  done
  echo -1
}

# The layer a weft_core file belongs to, from its path.
layer_of_file() {
  case "$1" in
    core/src/*) echo "${1#core/src/}" | cut -d/ -f1 ;;
    core/include/weft/*) echo "${1#core/include/weft/}" | cut -d/ -f1 ;;
    core/app/*) echo app ;;
  esac
}

# The layer an include names: "weft/<layer>/...", or a private "<layer>/..." under core/src.
layer_of_include() {
  local target=$1
  target=${target#weft/}
  case "$target" in
    */*) echo "$target" | cut -d/ -f1 ;;
  esac
}

status=0
checked=0
cd "$root"
while IFS= read -r file; do
  own=$(layer_of_file "$file")
  own_rank=$(rank_of "$own")
  if [ "$own_rank" -lt 0 ]; then
    echo "$file: in no layer (expected one of: ${layers[*]})"
    status=1
    continue
  fi
  while IFS=: read -r line target; do
    [ -n "$target" ] || continue
    included=$(layer_of_include "$target")
    [ -n "$included" ] || continue  # same folder, or the SDK (plugin.h, sdk.hpp)
    included_rank=$(rank_of "$included")
    checked=$((checked + 1))
    if [ "$included_rank" -lt 0 ]; then
      echo "$file:$line: includes \"$target\", which is in no layer"
      status=1
    elif [ "$included_rank" -gt "$own_rank" ]; then
      echo "$file:$line: the $own layer includes \"$target\" of the higher $included layer (layers, lowest first: ${layers[*]})"
      status=1
    fi
  done < <(grep -n '^#include "' "$file" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
done < <(find core/src core/include/weft core/app -name '*.cpp' -o -name '*.hpp' | sort)

# Plugins are built like a third party's: the SDK only.
while IFS=: read -r file line target; do
  echo "$file:$line: a plugin includes \"$target\" of the core (plugins use <weft/plugin.h> and <weft/sdk.hpp> only)"
  status=1
done < <(grep -rn '^#include ["<]weft/[a-z]*/' plugins examples | sed 's/^\([^:]*\):\([0-9]*\):#include ["<]\([^">]*\).*/\1:\2:\3/')

[ "$checked" -gt 0 ] || { echo "no includes between layers found under $root: is this the source tree?"; exit 1; }
[ "$status" -eq 0 ] && echo "layers: $checked includes between folders, each to its own layer or a lower one"
exit "$status"
