#!/usr/bin/env bash
# What one envelope echo costs the server, side by side: bytes allocated and CPU microseconds per request for the bare
# echo (bench/BareEcho), McpApi's default configuration, and McpApi with metrics on (McpApi:Telemetry:Prometheus=true,
# /metrics scraped every 5 s), under the same load as bench/run.sh (wrk -t2 -c32, bench/echo.lua). Unlike requests/s,
# both figures hardly depend on what else the machine runs, so they compare across a loaded and a quiet machine.
# Bytes: every server runs with the startup hook bench/AllocationProbe, which writes GC.GetTotalAllocatedBytes to a file
# every 50 ms (no /metrics needed, so the bare echo and McpApi without metrics are measured alike); read before and after
# each wrk run and divided by its requests (background work such as the log sink's formatting and timers included).
# CPU: utime+stime of the server process from /proc/<pid>/stat over the same run.
# Usage: bench/envelope_costs.sh [seconds per run=8] [rounds=3]
#   BASE_REF=<git ref> also measures McpApi (off and on) as of that commit, for before/after figures in one run.
#   PROFILE=1 then samples each server with perf (JIT symbols) and prints its CPU shares by part (bench/mcp/cpu_shares.py);
#   PROFILE_OUT=<dir> keeps the perf script text of each, for `cpu_shares.py FILE REQUESTS --tree REGEX`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}; rounds=${2:-3}; connections=32
source bench/lib.sh
need_wrk

bench_workdir
publish bench/AllocationProbe/AllocationProbe.csproj "$out/probe"
publish bench/BareEcho/BareEcho.csproj "$out/bare"
publish McpApi/McpApi.csproj "$out/mcpapi"
[ -z "${BASE_REF:-}" ] || publish McpApi/McpApi.csproj "$out/base" "$BASE_REF"

names=(); declare -A port pid scrape
start() { # name dll [scrape] [args...]
  local name=$1 dll=$2 p; shift 2
  p=$(free_port); port[$name]=$p; scrape[$name]=${1:-}; shift || true
  DOTNET_STARTUP_HOOKS="$out/probe/AllocationProbe.dll" ALLOCATION_PROBE_FILE="$out/$name.allocated" \
    run_dll "$out/$name.log" "$dll" --urls "http://127.0.0.1:$p" "$@"
  pids+=($!); pid[$name]=$!; names+=("$name")
  wait_for 600 curl -fs -o /dev/null -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$p/mcp" && return
  echo "$name did not start"; cat "$out/$name.log"; exit 1
}
mcpapi() { # name dll [scrape] [args...]
  local name=$1 dll=$2 s=$3; shift 3
  start "$name" "$dll" "$s" --ConnectionStrings:McpApi="Data Source=$out/$name.db" --McpApi:Tcp:Port="$(free_port)" "$@"
}
start bare "$out/bare/BareEcho.dll" ""
mcpapi mcpapi "$out/mcpapi/McpApi.dll" ""
mcpapi metrics "$out/mcpapi/McpApi.dll" scrape --McpApi:Telemetry:Prometheus=true
if [ -n "${BASE_REF:-}" ]; then
  mcpapi base "$out/base/McpApi.dll" ""
  mcpapi base-metrics "$out/base/McpApi.dll" scrape --McpApi:Telemetry:Prometheus=true
fi

allocated() { sleep 0.2; cat "$out/$1.allocated"; }   # the probe rewrites the file every 50 ms
measure() { # name -> "name requests bytes/req cpu_us/req rps"
  local name=$1 url="http://127.0.0.1:${port[$1]}/mcp" scraper= b0 t0 line b1 t1
  wrk -t2 -c$connections -d3s -s bench/echo.lua "$url" >/dev/null   # warm-up (JIT tiers, pools)
  if [ -n "${scrape[$name]}" ]; then (while sleep 5; do curl -fsS -o /dev/null "http://127.0.0.1:${port[$name]}/metrics" || true; done) & scraper=$!; fi
  b0=$(allocated "$name"); t0=$(cpu_ticks "${pid[$name]}")
  line=$(wrk -t2 -c$connections -d"${seconds}s" -s bench/echo.lua "$url" | grep RESULT)
  t1=$(cpu_ticks "${pid[$name]}"); b1=$(allocated "$name")
  if [ -n "$scraper" ]; then kill "$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; fi
  python3 - "$name" "$line" "$b0" "$b1" "$t0" "$t1" "$(getconf CLK_TCK)" <<'PY'
import re, sys
name, line, b0, b1, t0, t1, hz = sys.argv[1:]
r = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
n = max(r["requests"], 1)
if r["errors"]:
    print(f"# {name}: {r['errors']:.0f} errors", file=sys.stderr)
print(f"{name} {n:.0f} {(int(b1) - int(b0)) / n:.0f} {(int(t1) - int(t0)) / int(hz) * 1e6 / n:.2f} {r['rps']:.0f}")
PY
}

# 15 s under load first, so every server's hot methods reach their final JIT tier before round 1 (as in bench/run.sh).
for name in "${names[@]}"; do wrk -t2 -c$connections -d15s -s bench/echo.lua "http://127.0.0.1:${port[$name]}/mcp" >/dev/null; done
for round in $(seq 1 "$rounds"); do
  for name in "${names[@]}"; do measure "$name" | tee -a "$out/results.txt"; done
done
echo
python3 - "$out/results.txt" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, n, b, c, rps = line.split()
    rows.setdefault(name, []).append((float(b), float(c)))
med = {k: (statistics.median(b for b, _ in v), statistics.median(c for _, c in v)) for k, v in rows.items()}
bare_b, bare_c = med["bare"]
print(f"{'server':<14} {'bytes/request':>13} {'CPU us/request':>15} {'CPU vs bare':>11}   (medians of {len(rows['bare'])} rounds, load average {sys.argv[2]})")
for name, (b, c) in med.items():
    print(f"{name:<14} {b:>13.0f} {c:>15.1f} {c / bare_c:>10.2f}x")
for off, on in (("mcpapi", "metrics"), ("base", "base-metrics")):
    if off in med and on in med:
        print(f"metrics cost ({on} vs {off}): {med[on][0] - med[off][0]:+.0f} B and {(med[on][1] / med[off][1] - 1) * 100:+.1f}% CPU per request")
print("CPU per request is the steadier figure under load; req/s ratios need a quiet machine (bench/run.sh).")
PY

if [ "${PROFILE:-}" = 1 ]; then
  command -v perf >/dev/null || { echo "PROFILE=1 needs perf (apt-get install linux-perf)"; exit 1; }
  echo "PROFILE=1: restart the servers with JIT symbols for perf, then sample each for ${seconds} s"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=()
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
  old=("${names[@]}"); names=()
  start bare "$out/bare/BareEcho.dll" ""
  mcpapi mcpapi "$out/mcpapi/McpApi.dll" ""
  mcpapi metrics "$out/mcpapi/McpApi.dll" scrape --McpApi:Telemetry:Prometheus=true
  for name in "${names[@]}"; do
    url="http://127.0.0.1:${port[$name]}/mcp"
    wrk -t2 -c$connections -d20s -s bench/echo.lua "$url" >/dev/null   # every method reaches its final tier
    wrk -t2 -c$connections -d"$((seconds + 2))s" -s bench/echo.lua "$url" | grep RESULT >"$out/$name.wrk" &
    load=$!; sleep 1
    perf record -F 499 -g -p "${pid[$name]}" -o "$out/$name.perf" -- sleep "$seconds" >/dev/null 2>&1
    wait "$load"
    rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' "$out/$name.wrk")
    echo; echo "== $name: $(cat "$out/$name.wrk")"
    perf script -i "$out/$name.perf" 2>/dev/null >"$out/$name.txt"
    python3 bench/mcp/cpu_shares.py "$out/$name.txt" "$((rps * seconds))"
    if [ -n "${PROFILE_OUT:-}" ]; then mkdir -p "$PROFILE_OUT"; cp "$out/$name.txt" "$PROFILE_OUT/$name.txt"; echo "$((rps * seconds))" >"$PROFILE_OUT/$name.requests"; fi
  done
fi
