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
source bench/lib.sh
need_wrk

bench_workdir
builds=(current)
publish McpApi/McpApi.csproj "$out/current"
if [[ -n "$baseline" ]]; then
  publish McpApi/McpApi.csproj "$out/baseline" "$baseline"
  builds=(baseline current)
fi

declare -A port pid
for build in "${builds[@]}"; do
  port[$build]=$(free_port)
  run_dll "$out/$build.log" "$out/$build/McpApi.dll" --urls "http://127.0.0.1:${port[$build]}" --McpApi:Tcp:Port="$(free_port)" \
      --ConnectionStrings:McpApi="Data Source=$out/$build.db" --McpApi:Telemetry:Prometheus=true
  pids+=($!); pid[$build]=$!
  wait_for 150 up "http://127.0.0.1:${port[$build]}/health/ready" || { echo "$build did not start"; cat "$out/$build.log"; exit 1; }
  seed_state "http://127.0.0.1:${port[$build]}/mcp"
  # chat history reads a full page of 50 from the start, as in run.sh (where chat send ran before it).
  seed_chat "http://127.0.0.1:${port[$build]}/mcp"
  seed_games "$out/$build.db" w m
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
