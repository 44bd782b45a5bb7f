#!/usr/bin/env bash
# weft's developer entry point. On a fresh Debian machine each command installs what is
# missing (apt-get), configures and builds, then:
#   run    builds the release preset and starts `weft serve` on the example workflows
#          (http://127.0.0.1:8686, store ./var/weft.db); extra arguments go to weft serve
#   test   builds the dev preset (ASan + UBSan) and runs the whole test suite
#   bench  builds the bench preset (Release) and runs tests/bench/run.sh (never part of test)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

packages=(
  cmake ninja-build g++ ccache pkg-config
  libpoco-dev libyaml-cpp-dev rapidjson-dev libsqlite3-dev libssl-dev prometheus-cpp-dev catch2
  curl
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "dev.sh: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

build() {
  local preset=$1
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}

usage() {
  echo "usage: packaging/dev.sh run|test|bench" >&2
  exit 64
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  run)
    install_missing
    build release
    build/release/bin/weft validate workflows/
    exec build/release/bin/weft serve "$@"
    ;;
  test)
    install_missing
    build dev
    ctest --test-dir build/dev --output-on-failure -j "$(nproc)" "$@"
    ;;
  bench)
    packages+=(wrk time)
    install_missing
    build bench
    tests/bench/run.sh build/bench
    ;;
  *)
    usage
    ;;
esac
