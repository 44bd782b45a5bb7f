#!/usr/bin/env bash
# weft's developer entry point. On a fresh Debian machine each command installs what is
# missing (apt-get), configures and builds, then:
#   run    builds the release preset and starts `weft serve` on the example workflows
#          (http://127.0.0.1:8686, store ./var/weft.db); extra arguments go to weft serve
#   test   builds the dev preset (ASan + UBSan) and runs the whole test suite
#   bench  builds the bench preset (Release) and runs tests/bench/run.sh (never part of test)
#   package  builds the release preset and makes the Debian package in build/release
#   release-check  builds the release preset as `run` does, into build/release-check, with
#          warnings as errors (CI runs it, so that a release-only breakage fails CI)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

packages=(
  cmake ninja-build g++ ccache pkg-config dpkg-dev
  libpoco-dev libyaml-cpp-dev rapidjson-dev libsqlite3-dev libssl-dev prometheus-cpp-dev libpq-dev libre2-dev liblz4-dev libphonenumber-dev catch2
  curl jq
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

# The web console is bundled at build time from ui/ with Node.js and the npm packages pinned in
# ui/package-lock.json (installed into ui/node_modules; nothing is fetched at run time).
install_console_tools() {
  if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    echo "dev.sh: installing nodejs npm"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "dev.sh: npm ci in ui/"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  local preset=$1
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}

# The release preset in a folder of its own, warnings as errors: what `run` and `package`
# build, held to our standard without touching the user's build/release.
build_release_check() {
  cmake --preset release -B build/release-check -DWEFT_WARNINGS_AS_ERRORS=ON >/dev/null
  cmake --build build/release-check
}

# A throwaway PostgreSQL: initdb in a temporary folder, a free loopback port, stopped and
# removed when this script exits. Exports WEFT_TEST_POSTGRES. For the tests fsync is off (a
# fixture, nothing is kept in it); `start_postgres durable` keeps PostgreSQL's defaults, for
# the benchmark.
start_postgres() {
  local bin port settings="-c fsync=off"
  [ "${1:-}" = durable ] && settings=""
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { echo "dev.sh: PostgreSQL binaries not found under /usr/lib/postgresql" >&2; exit 1; }
  pg_dir=$(mktemp -d /tmp/weft-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$pg_dir"
    run=(runuser -u postgres -- env -C "$pg_dir")  # from a folder the postgres user may enter
  fi
  "${run[@]}" "$bin/initdb" -D "$pg_dir/data" --auth=trust --locale=C -E UTF8 -U weft > "$pg_dir/initdb.log"
  trap 'stop_postgres' EXIT
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    (: < "/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue  # taken
    if "${run[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
         -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 $settings -c max_connections=200" start > /dev/null; then
      "$bin/createdb" -h 127.0.0.1 -p "$port" -U weft weft_test
      export WEFT_TEST_POSTGRES="postgresql://weft@127.0.0.1:$port/weft_test"
      pg_stop=("${run[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -m immediate stop)
      echo "dev.sh: throwaway PostgreSQL on 127.0.0.1:$port"
      return 0
    fi
  done
  echo "dev.sh: could not start PostgreSQL; see $pg_dir/server.log" >&2
  exit 1
}

stop_postgres() {
  [ -n "${pg_stop+x}" ] && "${pg_stop[@]}" > /dev/null 2>&1
  [ -n "${pg_dir:-}" ] && rm -rf "$pg_dir"
}

# Runs every libFuzzer target for WEFT_FUZZ_SECONDS (30) over a copy of its seed corpus in
# tests/fuzz/corpus; a crash's input is kept in build/fuzz/artifacts (add it to the corpus as a
# regression test once fixed). Returns non-zero when any target found a crash.
run_fuzzers() {
  local seconds=${WEFT_FUZZ_SECONDS:-30} failed=0 target work
  mkdir -p build/fuzz/artifacts
  for target in tests/fuzz/corpus/*/; do
    target=$(basename "$target")
    work=$(mktemp -d)
    cp "tests/fuzz/corpus/$target/"* "$work/"
    if build/fuzz/bin/"fuzz_$target" -max_total_time="$seconds" -print_final_stats=0 \
         -artifact_prefix=build/fuzz/artifacts/"$target"- "$work" > "build/fuzz/$target.log" 2>&1; then
      echo "fuzz_$target: no crash in ${seconds}s ($(grep -o 'Done [0-9]* runs' "build/fuzz/$target.log"))"
    else
      echo "fuzz_$target: FAILED, see build/fuzz/$target.log and build/fuzz/artifacts/"
      tail -20 "build/fuzz/$target.log"
      failed=1
    fi
    rm -rf "$work"
  done
  return $failed
}

# The differential test of weft's log against SQLite's own WAL and the power-loss simulation
# (issue 33): run together, their output kept; prints their figures, or all of it on failure.
storage_tests="weft's VFS answers every operation|power loss at thousands of points"
run_storage_tests() {
  local log=build/dev/storage_tests.log result=0
  ctest --test-dir build/dev -V -j "$(nproc)" -R "$storage_tests" > "$log" 2>&1 || result=$?
  if [ $result -ne 0 ] || ! grep -q "100% tests passed" "$log"; then
    cat "$log"
    return 1
  fi
  echo "dev.sh: the storage-engine tests passed:"
  grep -E -A2 "rounds of [0-9]+ steps|crash states checked" "$log" | sed -E 's/^[0-9]+: //' | grep -v -- '^--$' || true
}

usage() {
  echo "usage: packaging/dev.sh run|test|bench|package|release-check" >&2
  exit 64
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  run)
    install_missing
    install_console_tools
    build release
    build/release/bin/weft validate workflows/
    exec build/release/bin/weft serve "$@"
    ;;
  test)
    # chromium: the console's browser tests (driven by playwright-core from ui/node_modules)
    packages+=(postgresql clang libclang-rt-14-dev chromium)
    install_missing
    install_console_tools
    build dev
    build fuzz
    run_fuzzers || fuzz_status=$?
    start_postgres
    if [ $# -eq 0 ]; then
      # The store's storage-engine tests first, on their own, so that their figures show in
      # every run (how many crash states and rounds they checked); then everything else.
      run_storage_tests || status=$?
      ctest --test-dir build/dev --output-on-failure -j "$(nproc)" -E "$storage_tests" || status=$?
    else
      ctest --test-dir build/dev --output-on-failure -j "$(nproc)" "$@" || status=$?
    fi
    [ -z "${fuzz_status:-}" ] || echo "dev.sh: a fuzz target crashed (see above)"
    exit "${status:-${fuzz_status:-0}}"
    ;;
  bench)
    packages+=(wrk time postgresql)
    install_missing
    install_console_tools
    build bench
    start_postgres durable
    WEFT_BENCH_POSTGRES=$WEFT_TEST_POSTGRES tests/bench/run.sh build/bench
    ;;
  package)
    install_missing
    install_console_tools
    build release
    (cd build/release && cpack -G DEB)
    ;;
  release-check)
    install_missing
    install_console_tools
    build_release_check
    ;;
  *)
    usage
    ;;
esac
