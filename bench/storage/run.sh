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
source bench/lib.sh
need_wrk

bench_workdir
echo "publishing (Release)..."
builds=(current)
publish McpApi/McpApi.csproj "$out/current"
publish bench/storage/DiskLimit/DiskLimit.csproj "$out/disk"
if [[ -n "$baseline" ]]; then
  publish McpApi/McpApi.csproj "$out/baseline" "$baseline"
  builds=(baseline current)
fi

declare -A port
for build in "${builds[@]}"; do
  port[$build]=$(free_port)
  tcp=$(free_port)
  # Default configuration (request logging on, stdout to a file as under systemd); only the ports and the file differ.
  run_dll "$out/$build.log" "$out/$build/McpApi.dll" --urls "http://127.0.0.1:${port[$build]}" --McpApi:Tcp:Port="$tcp" \
      --ConnectionStrings:McpApi="Data Source=$out/$build.db"
  pids+=($!)
  wait_for 150 up "http://127.0.0.1:${port[$build]}/health/ready" || { echo "$build did not start"; cat "$out/$build.log"; exit 1; }
  seed_state "http://127.0.0.1:${port[$build]}/mcp"
  # move_play's games, both seats taken, so that every request is a valid play (see storage.lua).
  seed_games "$out/$build.db" w1 m1 w32 m32
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
