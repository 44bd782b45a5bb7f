# Shared by the bench scripts that source it: a server started in the background, its port,
# and the fields of a wrk RESULT line. Expects $work (a scratch folder) to be set.

# Starts a server command in the background; sets PID and PORT from its "listening on" line.
start() {
  local log=$1
  shift
  "$@" > "$log" 2>&1 &
  PID=$!
  for _ in $(seq 1 400); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/.*://') || true
    [ -n "${PORT:-}" ] && return 0
    sleep 0.05
  done
  echo "bench: server did not start:"; cat "$log"; exit 1
}

stop() { kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; }

field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
