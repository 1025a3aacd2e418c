#!/usr/bin/env bash
# Storage benchmark: durable writes and reads over POST /mcp at 1 and 32 connections, side by side in one run with
# the stack's ceiling (the echo envelope) and the disk's limit (bench/storage/DiskLimit: the chat send INSERT alone,
# 1 and 32 rows per commit, same pragmas). With a baseline git ref, that build is measured too, alternating with this
# one scenario by scenario, so both see the same machine.
# Usage: bench/storage/run.sh [seconds per run, default 5] [baseline git ref, e.g. main]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}
baseline=${2:-}
command -v wrk >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }

out=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

echo "publishing (Release)..."
builds=(current)
dotnet publish McpApi/McpApi.csproj -c Release -o "$out/current" >/dev/null
dotnet publish bench/storage/DiskLimit/DiskLimit.csproj -c Release -o "$out/disk" >/dev/null
if [[ -n "$baseline" ]]; then
  mkdir -p "$out/src-baseline"
  git archive "$baseline" | tar -x -C "$out/src-baseline"
  dotnet publish "$out/src-baseline/McpApi/McpApi.csproj" -c Release -o "$out/baseline" >/dev/null
  builds=(baseline current)
fi

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
declare -A port
for build in "${builds[@]}"; do
  port[$build]=$(free_port)
  tcp=$(free_port)
  # Default configuration (request logging on, stdout to a file as under systemd); only the ports and the file differ.
  (cd "$out/$build" && exec dotnet McpApi.dll --urls "http://127.0.0.1:${port[$build]}" --McpApi:Tcp:Port="$tcp" \
      --ConnectionStrings:McpApi="Data Source=$out/$build.db") >"$out/$build.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:${port[$build]}/health/ready" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:${port[$build]}/health/ready" || { echo "$build did not start"; cat "$out/$build.log"; exit 1; }
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d '{"model":"state","action":"set","context":"bench","data":{"key":"read","value":{"hello":"world","n":42}}}' "http://127.0.0.1:${port[$build]}/mcp"
  # move_play's games, both seats taken, so that every request is a valid play (see storage.lua).
  python3 - "$out/$build.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
now = int(time.time() * 1000)
rows = ((f"{label}-{tid}-{k}", "---------", "ana", "bob", "playing", None, 0, 1, now, now)
        for label in ("w1", "m1", "w32", "m32") for tid in (1, 2) for k in range(12000))
with db:
    db.executemany("INSERT INTO games (id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.close()
PY
done

results="$out/results.txt"
disk_limit() { # rows per commit: the bare INSERT on a fresh file of its own
  local line file="$out/disk-$1.db"
  line=$("$out/disk/DiskLimit" "$file" "$seconds" "$1" | grep RESULT)
  echo "$1 disk_limit disk $line" | tee -a "$results"
  # Its file goes, and its dirty pages are written back now rather than during the next server measurement.
  rm -f "$file" "$file-wal" "$file-shm"
  sync
}
scenarios=(echo chat_send notes_add state_set state_hot move_play notes_latest state_get chat_history)
for connections in 1 32; do
  threads=$(( connections == 1 ? 1 : 2 ))
  # The disk's limit is measured before and after each section (the report keeps the better), since the disk is shared too.
  if (( connections == 1 )); then disk_limit 1; else disk_limit 16; disk_limit 32; fi
  for scenario in "${scenarios[@]}"; do
    for build in "${builds[@]}"; do
      url="http://127.0.0.1:${port[$build]}/mcp"
      wrk -t$threads -c$connections -d2s -s bench/storage/storage.lua "$url" -- "$scenario" "w$connections" >/dev/null   # warm-up
      line=$(wrk -t$threads -c$connections -d"${seconds}s" --latency -s bench/storage/storage.lua "$url" -- "$scenario" "m$connections" | grep RESULT)
      echo "$connections $scenario $build $line" | tee -a "$results"
    done
  done
  if (( connections == 1 )); then disk_limit 1; else disk_limit 16; disk_limit 32; fi
done

# chat send on PostgreSQL, one replica (deploy/postgres-throwaway.sh); MCPAPI_BENCH_POSTGRESQL=0 leaves it out.
[ "${MCPAPI_BENCH_POSTGRESQL:-1}" = 0 ] || bash bench/storage/postgresql.sh "$out/current" "$seconds" "$results"

python3 bench/storage/report.py "$results"
