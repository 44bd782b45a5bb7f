#!/usr/bin/env bash
# Destinations (SPEC 17, issue 36), in one run: weft serve with a deliver node and a
# profile.updated subscription against the same serve without them (fresh servers, loads in the
# order A B C C B A, C with sending paused); then a backlog of messages made by weft ingest while nothing delivers (the
# receiver "down"), drained by weft serve into a local receiver (the bare Poco server): messages
# per second, peak RSS, and bytes written per delivered message.
# Usage: tests/bench/destinations.sh BUILD_DIR [BACKLOG]  (run.sh calls it; default 1,000,000)
set -euo pipefail

build=$(cd "${1:-build/bench}" && pwd)
backlog=${2:-1000000}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench="$root/tests/bench"
seconds=${WEFT_BENCH_SECONDS:-10}
connections=32
threads=2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Starts a server command in the background; sets the variable named $1 to its pid and PORT
# from its "listening on" (or "port") line.
start_as() {
  local name=$1 log=$2
  shift 2
  "$@" > "$log" 2>&1 &
  printf -v "$name" '%s' $!
  for _ in $(seq 1 200); do
    PORT=$(grep -o -E '(listening on http://127.0.0.1:|port )[0-9]+' "$log" | head -1 | grep -o -E '[0-9]+$') || true
    [ -n "${PORT:-}" ] && return 0
    sleep 0.05
  done
  echo "bench: $* did not start:"; cat "$log"; exit 1
}
source "$bench/lib.sh"  # field

# The receiver: the bare Poco server, 200 to everything.
start_as receiver "$work/receiver.log" "$build/bin/poco_ceiling"
sink_port=$PORT

# The example workflows, and the same with the Slack workflow ending in a deliver node and a
# destination subscribed to profile.updated.
mkdir -p "$work/plain" "$work/delivering/destinations"
cp -r "$root/workflows" "$work/plain/workflows"
cp -r "$root/workflows" "$work/delivering/workflows"
printf '  - id: to_sink\n    plugin: deliver\n    with: { destination: sink, body: { user: $.payload.event.user, text: $.payload.event.text } }\n' \
  >> "$work/delivering/workflows/slack.yaml"
printf 'id: sink\nurl: http://127.0.0.1:%s/in\nsubscribe: [profile.updated]\nmax_in_flight: 8\n' "$sink_port" \
  > "$work/delivering/destinations/sink.yaml"
config() {  # a weft.yaml in $work/$1 with a fresh store
  rm -f "$work/$1"/weft.db*
  printf 'listen: 127.0.0.1:0\nstore: sqlite:%s/weft.db\nworkflows: %s/workflows\ndestinations: %s/destinations\nplugin_dirs: [%s/plugins]\n' \
    "$work/$1" "$work/$1" "$work/$1" "$build" > "$work/$1/weft.yaml"
  echo "$work/$1/weft.yaml"
}

echo "== serve with a deliver node and a profile.updated subscription vs without (fresh servers, A B C C B A)"
# A: plain. B: delivering, sending to the receiver meanwhile (on the same 2 cores: the receiver's
# CPU is counted too). C: delivering with the destination disabled during the load, so that the
# messages are written and none is sent: the cost on the request path alone.
served() {  # one measured wrk load on a fresh server of the set $1 ($2 = paused: the destination disabled)
  start_as server "$work/served.log" "$build/bin/weft" serve --config "$(config "$1")"
  [ "${2:-}" = paused ] && curl -s -X POST "http://127.0.0.1:$PORT/destinations/sink/disable" > /dev/null
  wrk -t$threads -c$connections -d2s -s "$bench/slack_events.lua" "http://127.0.0.1:$PORT/collect/slack" -- 100000 > /dev/null
  local cpu0 cpu1 receiver0 receiver1 result
  cpu0=$(awk '{print $14 + $15}' "/proc/$server/stat"); receiver0=$(awk '{print $14 + $15}' "/proc/$receiver/stat")
  result=$(wrk -t$threads -c$connections -d${seconds}s --latency -s "$bench/slack_events.lua" "http://127.0.0.1:$PORT/collect/slack" -- 100000 | grep '^RESULT')
  cpu1=$(awk '{print $14 + $15}' "/proc/$server/stat"); receiver1=$(awk '{print $14 + $15}' "/proc/$receiver/stat")
  # CPU per request of weft itself (clock ticks of 10 ms), and the receiver's share of the run
  echo "$result weft_cpu_us_per_request=$(( (cpu1 - cpu0) * 10000 / $(field "$result" requests) )) receiver_cpu_s=$(awk -v t=$((receiver1 - receiver0)) 'BEGIN { printf "%.2f", t / 100 }')"
  kill -TERM "$server"; wait "$server" 2>/dev/null || true
}
a1=$(served plain); b1=$(served delivering); c1=$(served delivering paused)
c2=$(served delivering paused); b2=$(served delivering); a2=$(served plain)
echo "serve, plain: $a1"
echo "serve, delivering: $b1"
echo "serve, delivering, sending paused: $c1"
echo "serve, delivering, sending paused, again: $c2"
echo "serve, delivering, again: $b2"
echo "serve, plain, again: $a2"
awk -v a1="$(field "$a1" rps)" -v a2="$(field "$a2" rps)" -v b1="$(field "$b1" rps)" -v b2="$(field "$b2" rps)" \
    -v c1="$(field "$c1" rps)" -v c2="$(field "$c2" rps)" \
  'BEGIN { printf "serve delivering / plain: %.2f with the messages sent meanwhile to a receiver on the same cores, %.2f with sending paused (the sums; target >= 0.85)\n", (b1 + b2) / (a1 + a2), (c1 + c2) / (a1 + a2) }'

echo "== a backlog of $backlog messages: made by weft ingest (nothing delivers), then drained by weft serve"
"$build/bin/generate_events" "$backlog" 100000 > "$work/events.jsonl"
# the backlog: deliver messages only (no subscription), so that there is one message per event
printf 'id: sink\nurl: http://127.0.0.1:%s/in\nmax_in_flight: 8\n' "$sink_port" > "$work/delivering/destinations/sink.yaml"
ingest_config=$(config delivering)
"$build/bin/weft" ingest --config "$ingest_config" --source slack "$work/events.jsonl" | tail -2
start_as server "$work/drain.log" "$build/bin/weft" serve --config "$ingest_config"
written0=$(awk '/^write_bytes/ {print $2}' "/proc/$server/io")
begin=$(date +%s.%N)
pending() { curl -s "http://127.0.0.1:$PORT/destinations" | grep -o '"pending":[0-9]*' | cut -d: -f2; }
until [ "$(pending)" = "0" ]; do sleep 0.5; done
end=$(date +%s.%N)
written1=$(awk '/^write_bytes/ {print $2}' "/proc/$server/io")
peak=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
delivered=$(curl -s "http://127.0.0.1:$PORT/destinations" | grep -o '"delivered":[0-9]*' | cut -d: -f2)
kill -TERM "$server"; wait "$server" 2>/dev/null || true
awk -v n="$delivered" -v b="$begin" -v e="$end" -v w="$((written1 - written0))" -v p="$peak" \
  'BEGIN { printf "drain: %d messages delivered in %.1f s: %.0f messages/s (target >= 5000); peak RSS %d MiB (target <= 200); %.0f bytes written per delivered message\n", n, e - b, n / (e - b), p / 1024, w / n }'
ceiling=$(wrk -t$threads -c8 -d3s "http://127.0.0.1:$sink_port/in" | awk '/Requests\/sec/ {printf "%.0f", $2}')
echo "the receiver's ceiling in this run (wrk, 8 connections, as the destination's max_in_flight): $ceiling requests/s"
kill -TERM "$receiver"; wait "$receiver" 2>/dev/null || true
