#!/usr/bin/env bash
# Profile listing, search and export (SPEC 8, issue 38), in one run:
# - a store of PEOPLE profiles (default 1,000,000) made by weft ingest of Slack-shaped events,
#   one or more per person;
# - 1,000 queries (listing pages and `q` searches of varied prefixes: e-mails, Slack ids, names,
#   common two-letter prefixes) against weft serve on that store while wrk posts the Slack load
#   to it: p50, p99, max;
# - weft export profiles of that store: time, peak RSS, lines, and jq reading every line;
# - with BASELINE_BUILD (a build of weft before the search index), serve of the Slack load on
#   fresh stores, this build against that one, A B B A: the ratio.
# Usage: tests/bench/search.sh BUILD_DIR [BASELINE_BUILD_DIR]   (PEOPLE=1000000 by default)
set -euo pipefail

build=$(cd "${1:-build/bench}" && pwd)
baseline=${2:+$(cd "$2" && pwd)}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench="$root/tests/bench"
people=${PEOPLE:-1000000}
seconds=${WEFT_BENCH_SECONDS:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
source "$bench/lib.sh"

config() {  # a weft.yaml in $work/$1 for the store there, the example workflows and BUILD's plugins
  mkdir -p "$work/$1"
  printf 'listen: 127.0.0.1:0\nstore: sqlite:%s/weft.db\nworkflows: %s/workflows\nplugin_dirs: [%s/plugins]\n' \
    "$work/$1" "$root" "${2:-$build}" > "$work/$1/weft.yaml"
  echo "$work/$1/weft.yaml"
}

echo "== search: a store of $people people made by weft ingest"
events=$((people * 6 / 5))
"$build/bin/generate_events" $events $people every > "$work/people.jsonl"
store_config=$(config store)
"$build/bin/weft" ingest --config "$store_config" --source slack "$work/people.jsonl" | head -1
rm "$work/people.jsonl"

# 1,000 requests: a quarter listing pages (the first, and the one after it), the rest searches.
queries() {
  RANDOM=20261207
  for i in $(seq 1 1000); do
    case $((i % 8)) in
      0) echo "limit=50" ;;
      1) echo "limit=50&after=NEXT" ;;
      2) echo "q=person$((RANDOM % 1000))" ;;                 # an e-mail's first letters
      3) printf 'q=U%0*d\n' $((2 + RANDOM % 4)) $((RANDOM % 100)) ;;  # a Slack id's
      4) echo "q=user$((RANDOM % 10000))" ;;                  # a display name's
      5) echo "q=User%20$((RANDOM % 1000))" ;;                # a name as typed
      6) echo "q=$(echo us pe eu be u0 12 | tr ' ' '\n' | sed -n "$((1 + RANDOM % 6))p")" ;;  # common prefixes
      7) echo "q=$((RANDOM % 1000))" ;;                        # a word of a name: digits
    esac
  done
}
queries > "$work/queries.txt"

measure_queries() {  # prints the latencies (ms) of the queries against $PORT, one a line
  local next="" q
  while read -r q; do
    [[ $q == *NEXT* ]] && q=${q/NEXT/$next}
    curl -s -o "$work/answer.json" -w '%{time_total}\n' "http://127.0.0.1:$PORT/profiles?$q" | awk '{ printf "%.3f\n", $1 * 1000 }'
    if [[ $q == limit=50 ]]; then next=$(grep -o '"next":"[^"]*"' "$work/answer.json" | cut -d'"' -f4); fi
  done < "$work/queries.txt"
}

summary() {  # p50 p99 max of the numbers on stdin
  sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d queries", v[int(NR * 0.5)], v[int(NR * 0.99)], v[NR], NR }'
}

start "$work/serve.log" "$build/bin/weft" serve --config "$store_config"
live=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^weft_profiles / { printf "%.0f", $2 }')
echo "search: $live live profiles"
measure_queries > /dev/null  # warm: the pages a server would hold after a while
echo "search: idle: $(measure_queries | summary)"
wrk -t2 -c32 -d60s -s "$bench/slack_events.lua" "http://127.0.0.1:$PORT/collect/slack" -- $people > "$work/wrk.out" &
wrk_pid=$!
sleep 2
echo "search: under the Slack load: $(measure_queries | summary)"
kill -INT $wrk_pid 2>/dev/null || true
wait $wrk_pid 2>/dev/null || true
live=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^weft_profiles / { printf "%.0f", $2 }')
echo "search: $live live profiles after the load (its e-mails merge pairs of people)"
stop

echo "== export: weft export profiles of that store"
/usr/bin/time -v "$build/bin/weft" export profiles --config "$store_config" --output "$work/profiles.ndjson" \
  2> "$work/export.time"
grep '^weft export' "$work/export.time"
rss=$(grep 'Maximum resident' "$work/export.time" | awk '{print $6}')
lines=$(wc -l < "$work/profiles.ndjson")
read_by_jq=$(jq -c '.id' "$work/profiles.ndjson" | wc -l)
echo "export: $lines lines (jq read $read_by_jq), $(du -m "$work/profiles.ndjson" | cut -f1) MiB, peak RSS $((rss / 1024)) MiB (target <= 100)"
rm -f "$work/profiles.ndjson"

if [ -n "$baseline" ]; then
  echo "== serve with the search index against $baseline (without it): Slack load, fresh stores, A B B A, ${seconds}s each"
  declare -a with without
  n=0
  for which in with without without with; do
    n=$((n + 1))
    dir=$([ $which = with ] && echo "$build" || echo "$baseline")
    start "$work/serve$n.log" "$dir/bin/weft" serve --config "$(config serve$n "$dir")"
    wrk -t2 -c32 -d2s -s "$bench/slack_events.lua" "http://127.0.0.1:$PORT/collect/slack" -- 100000 > /dev/null
    result=$(wrk -t2 -c32 -d${seconds}s -s "$bench/slack_events.lua" "http://127.0.0.1:$PORT/collect/slack" -- 100000 | grep '^RESULT')
    stop
    rps=$(field "$result" rps)
    echo "serve: $which the index: $rps req/s"
    if [ $which = with ]; then with+=("$rps"); else without+=("$rps"); fi
  done
  awk -v a="${with[0]}" -v b="${without[0]}" -v c="${without[1]}" -v d="${with[1]}" \
    'BEGIN { printf "serve: with the search index at %.2f x without it (pairs %.2f and %.2f; target >= 0.9)\n", (a + d) / (b + c), a / b, d / c }'
fi
