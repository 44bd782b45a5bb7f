#!/usr/bin/env bash
# Batches (SPEC 18, issue 37): SendGrid-shaped events posted as 100-item batches against the
# same events posted one per request, on fresh servers in the order A B B A, in one run. Events
# stored per second from weft's own count (weft_events_total, processed), over the measured
# seconds. Target: batches >= 5 x single requests.
# Usage: tests/bench/batches.sh BUILD_DIR  (run.sh calls it)
set -euo pipefail

build=$(cd "${1:-build/bench}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench="$root/tests/bench"
seconds=${WEFT_BENCH_SECONDS:-10}
connections=32
threads=2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir -p "$work/flows"
cat > "$work/flows/sendgrid.yaml" <<'YAML'
id: sendgrid
nodes:
  - id: receive
    plugin: webhook_trigger
    with: { split: '$.payload.value[*]', event_type: $.payload.event, idempotency_key: $.payload.sg_event_id }
  - id: recipient
    plugin: json_path_extractor
    with: { path: $.payload.email, transform: lower }
    on: { missing: reject }
  - id: group
    plugin: profile_grouper
  - id: email
    plugin: email_identification_merger
    with: { email: $.payload.email }
YAML

processed() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^weft_events_total\{source="sendgrid",status="processed"\}/ { printf "%.0f", $2 }'; }

# One measured load of ITEMS-event requests on a fresh server; prints "EVENTS_PER_S RPS".
run_once() {
  local items=$1 dir="$work/run$2"
  mkdir -p "$dir"
  printf 'listen: 127.0.0.1:0\nstore: sqlite:%s/weft.db\nworkflows: %s/flows\nplugin_dirs: [%s/plugins]\n' "$dir" "$work" "$build" > "$dir/weft.yaml"
  "$build/bin/weft" serve --config "$dir/weft.yaml" > "$dir/serve.log" 2>&1 &
  local pid=$!
  PORT=""
  for _ in $(seq 1 200); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/serve.log" | head -1 | sed 's/.*://') || true
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  [ -n "$PORT" ] || { echo "bench: server did not start:"; cat "$dir/serve.log"; exit 1; }
  local url="http://127.0.0.1:$PORT/collect/sendgrid"
  wrk -t$threads -c$connections -d2s -s "$bench/sendgrid_batches.lua" "$url" -- "$items" 100000 warm > /dev/null
  local before after result
  before=$(processed)
  result=$(wrk -t$threads -c$connections -d${seconds}s --latency -s "$bench/sendgrid_batches.lua" "$url" -- "$items" 100000 measured | grep '^RESULT')
  after=$(processed)
  kill -TERM $pid
  wait $pid 2>/dev/null || true
  local secs rps non2xx errors
  secs=$(echo "$result" | tr ' ' '\n' | grep '^seconds=' | cut -d= -f2)
  rps=$(echo "$result" | tr ' ' '\n' | grep '^rps=' | cut -d= -f2)
  non2xx=$(echo "$result" | tr ' ' '\n' | grep '^non2xx=' | cut -d= -f2)
  errors=$(echo "$result" | tr ' ' '\n' | grep '^errors=' | cut -d= -f2)
  [ "$non2xx" = 0 ] && [ "$errors" = 0 ] || { echo "bench: $items-item requests: $result"; exit 1; }
  awk -v n=$((after - before)) -v s="$secs" -v r="$rps" 'BEGIN { printf "%.0f %s\n", n / s, r }'
}

echo "== batches: SendGrid-shaped events, 100 per request against 1 per request (SPEC 18), wrk -t$threads -c$connections ${seconds}s, fresh servers A B B A"
declare -a single batch
n=0
for items in 1 100 100 1; do
  n=$((n + 1))
  read -r events rps < <(run_once "$items" "$n")
  echo "batches: $items-item requests: $events events/s stored ($rps requests/s)"
  if [ "$items" = 1 ]; then single+=("$events"); else batch+=("$events"); fi
done
awk -v a="${single[0]}" -v b="${batch[0]}" -v c="${batch[1]}" -v d="${single[1]}" \
  'BEGIN { printf "batches: 100-item requests store %.2f x the events/s of single requests (pairs %.2f and %.2f; target >= 5)\n", (b + c) / (a + d), b / a, c / d }'
