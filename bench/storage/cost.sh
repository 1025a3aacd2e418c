#!/usr/bin/env bash
# What each storage scenario costs the server per request, figures that hardly depend on what else the machine is
# doing (unlike req/s): bytes allocated (the runtime's dotnet_gc_heap_total_allocated_bytes_total from GET /metrics
# before and after a wrk run, divided by the requests wrk counted) and server CPU time (utime+stime from
# /proc/<pid>/stat over the same run). Same scenarios, seeding and wrk script as bench/storage/run.sh; McpApi
# published in Release with the default configuration plus the Prometheus endpoint (loopback only).
# With a baseline git ref, that build is published from `git archive` and measured alternately with this one,
# scenario by scenario. req/s is printed too, for the ratio inside one run only.
# Usage: bench/storage/cost.sh [seconds per run, default 5] [connections, default 32] [baseline git ref] [scenario...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}; connections=${2:-32}; baseline=${3:-}
shift $(( $# < 3 ? $# : 3 ))
scenarios=("$@")
(( ${#scenarios[@]} )) || scenarios=(echo chat_send notes_add state_set move_play notes_latest state_get chat_history)
command -v wrk >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }

out=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

builds=(current)
dotnet publish McpApi/McpApi.csproj -c Release -o "$out/current" --nologo -v q >/dev/null
if [[ -n "$baseline" ]]; then
  mkdir -p "$out/src-baseline"
  git archive "$baseline" | tar -x -C "$out/src-baseline"
  dotnet publish "$out/src-baseline/McpApi/McpApi.csproj" -c Release -o "$out/baseline" --nologo -v q >/dev/null
  builds=(baseline current)
fi

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
declare -A port pid
for build in "${builds[@]}"; do
  port[$build]=$(free_port)
  (cd "$out/$build" && exec dotnet McpApi.dll --urls "http://127.0.0.1:${port[$build]}" --McpApi:Tcp:Port="$(free_port)" \
      --ConnectionStrings:McpApi="Data Source=$out/$build.db" --McpApi:Telemetry:Prometheus=true) >"$out/$build.log" 2>&1 &
  pids+=($!); pid[$build]=$!
  for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:${port[$build]}/health/ready" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:${port[$build]}/health/ready" || { echo "$build did not start"; cat "$out/$build.log"; exit 1; }
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d '{"model":"state","action":"set","context":"bench","data":{"key":"read","value":{"hello":"world","n":42}}}' "http://127.0.0.1:${port[$build]}/mcp"
  # chat history reads a full page of 50 from the start, as in run.sh (where chat send ran before it).
  for i in $(seq 1 50); do
    curl -fsS -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"model\":\"chat\",\"action\":\"send\",\"context\":{\"user\":\"u\",\"room\":\"bench\"},\"data\":\"seed message $i\"}" "http://127.0.0.1:${port[$build]}/mcp"
  done
  python3 - "$out/$build.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
now = int(time.time() * 1000)
rows = ((f"{label}-{tid}-{k}", "---------", "ana", "bob", "playing", None, 0, 1, now, now)
        for label in ("w", "m") for tid in (1, 2) for k in range(12000))
with db:
    db.executemany("INSERT INTO games (id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.close()
PY
done

allocated() { # build [last figure] -> bytes allocated so far (the exporter caches a scrape briefly: wait it out first,
  # and once more while the figure still equals the last one, which a loaded machine's late scrape can give)
  local value
  for _ in 1 2 3 4 5; do
    sleep 1
    value=$(curl -s "http://127.0.0.1:${port[$1]}/metrics" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/{print $2}')
    [[ -n "$value" && "$value" != "${2:-}" ]] && break
  done
  echo "$value"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
threads=$(( connections == 1 ? 1 : 2 ))
printf '%-14s %-9s %9s %9s %12s %8s\n' scenario build requests 'req/s' 'bytes/req' 'CPU us'
for scenario in "${scenarios[@]}"; do
  for build in "${builds[@]}"; do
    url="http://127.0.0.1:${port[$build]}/mcp"
    wrk -t$threads -c"$connections" -d2s -s bench/storage/storage.lua "$url" -- "$scenario" w >/dev/null   # warm-up
    bytes0=$(allocated "$build"); ticks0=$(cpu_ticks "${pid[$build]}")
    line=$(wrk -t$threads -c"$connections" -d"${seconds}s" -s bench/storage/storage.lua "$url" -- "$scenario" m | grep RESULT)
    ticks1=$(cpu_ticks "${pid[$build]}"); bytes1=$(allocated "$build" "$bytes0")
    requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line"); rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$line")
    errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")
    python3 -c "print(f'{\"$scenario\":<14} {\"$build\":<9} {$requests:>9} {$rps:>9} {($bytes1 - $bytes0) / max($requests, 1):>12.0f} {($ticks1 - $ticks0) * 1e6 / $(getconf CLK_TCK) / max($requests, 1):>8.1f}' + ('  errors=$errors' if $errors else ''))"
  done
done
echo "McpApi ${baseline:+baseline $baseline vs }work tree, $connections connection(s), ${seconds} s per run; bytes/req and CPU us include the /metrics scrapes and background work"
