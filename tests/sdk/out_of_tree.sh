#!/usr/bin/env bash
# The plugin author's path, end to end: install weft (DESTDIR), build the example plugin
# against it with nothing but find_package(weft), and use it from the installed weft.
# Usage: out_of_tree.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

DESTDIR="$work/root" cmake --install "$build" > "$work/install.log"
prefix="$work/root/usr"
cmake -S "$source/examples/plugins/field_match" -B "$work/plugin" -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/plugin" > "$work/build.log"
test -f "$work/plugin/field_match.so"

mkdir -p "$work/flows"
cat > "$work/flows/slack.yaml" <<'YAML'
id: slack
nodes:
  - id: receive
    plugin: webhook_trigger
  - id: skip_bots
    plugin: field_match
    with: { path: $.payload.event.bot_id }
    on: { matched: drop }
  - id: user
    plugin: json_path_extractor
    with: { path: $.payload.event.user }
  - id: group
    plugin: profile_grouper
YAML
cat > "$work/weft.yaml" <<YAML
store: sqlite:$work/weft.db
workflows: $work/flows
plugin_dirs: [$prefix/lib/weft/plugins, $work/plugin]
YAML
weft="$prefix/bin/weft"
"$weft" plugins --config "$work/weft.yaml" --describe field_match | grep -q '^field_match 1.0.0 (node)'
"$weft" validate --config "$work/weft.yaml" | grep -q "slack.yaml: ok (source 'slack', 4 nodes)"
printf '%s\n' '{"event":{"user":"U1"}}' '{"event":{"bot_id":"B1","text":"deployed"}}' '{"event":{"user":"U2"}}' > "$work/events.jsonl"
"$weft" ingest --config "$work/weft.yaml" --source slack "$work/events.jsonl" | tee "$work/ingest.out"
grep -q "processed 2, duplicates 0, rejected 0, dropped 1" "$work/ingest.out"
# the installed binary finds its own plugins without plugin_dirs
"$weft" plugins | grep -q '^webhook_trigger'
echo "out-of-tree plugin built with find_package(weft) and used by the installed weft: ok"
