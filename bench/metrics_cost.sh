#!/usr/bin/env bash
# What McpApi's metrics cost the envelope benchmark: one McpApi server (default configuration) measured in turns with its
# metrics on and off, so that what differs from one process to another (10-15% CPU per request on this VM, more than the
# metrics themselves) is left out. The startup hook bench/MetricsSwitch turns them on by building a meter provider with
# McpApi's own configuration (TelemetrySetup.AddMcpApiMeters: the meters and views of McpApi:Telemetry:Prometheus=true)
# and a reader that collects every point every 5 s, as a Prometheus server scraping /metrics would; off disposes it.
# One wrk run (32 connections, POST /mcp echo, as bench/run.sh) loads the server the whole time; the sampler
# bench/metrics_switch_sampler.py switches the metrics and reads the server's CPU time and requests around each slice.
# Slices come in groups of four, A B B A:
#   cost groups: A = metrics off, B = metrics on      A/A groups: A and B both off
# Each group gives one ratio (B's two slices over A's two). This VM's speed swings by 10-20% within seconds, so slices
# are short and many. The A/A groups are the same method measured against itself in the same run: their spread is what
# a cost figure of the same run can be trusted to.
# Usage: [METRICS_SWITCH_MODES="full mcpapi-only ..."] bench/metrics_cost.sh [seconds per slice, default 1]
#          [groups of each kind per process, default 8] [processes, default 3]
# With METRICS_SWITCH_MODES, cost groups of each mode (bench/MetricsSwitch: full, mcpapi-only, listener, otel-idle)
# take turns with the A/A groups, so parts of the metrics are measured side by side in one run.
# Aim (issue 10): the metrics cost at most 3% of McpApi's CPU time per request and of its requests/s.
set -euo pipefail
cd "$(dirname "$0")/.."
slice_seconds=${1:-1}
groups=${2:-8}
processes=${3:-3}
connections=32
source bench/lib.sh
need_wrk

bench_workdir
publish McpApi/McpApi.csproj "$out/mcpapi"
publish bench/MetricsSwitch/MetricsSwitch.csproj "$out/switch"

switch_metrics() { # on|off: asks the server's hook and waits (at most 5 s) until it is done
  echo "$1" >"$out/metrics.switch"
  wait_for 25 grep -qx "$1" "$out/metrics.switch.applied" || { echo "the metrics switch did not turn $1"; cat "$out/mcpapi.log"; exit 1; }
}

results="$out/results.txt"
kinds=$(( $(echo "${METRICS_SWITCH_MODES:-cost}" | wc -w) + 1 ))   # cost group kinds and the A/A groups
measured=$(awk -v s="$slice_seconds" -v g="$groups" -v k="$kinds" 'BEGIN { printf "%d", (s + 0.4) * 4 * k * g * 1.1 + 5 }')
for process in $(seq 1 "$processes"); do
  pids=()
  port=$(free_port); url="http://127.0.0.1:$port/mcp"
  rm -f "$out/metrics.switch" "$out/metrics.switch.applied"; echo off >"$out/metrics.switch"
  DOTNET_STARTUP_HOOKS="$out/switch/MetricsSwitch.dll" METRICS_SWITCH_FILE="$out/metrics.switch" \
    run_dll "$out/mcpapi.log" "$out/mcpapi/McpApi.dll" --urls "http://127.0.0.1:$port" \
    --ConnectionStrings:McpApi="Data Source=$out/bench.db" --McpApi:Tcp:Port="$(free_port)"
  pid=$!; pids+=("$pid")
  wait_for 100 curl -fs -o /dev/null -H 'Content-Type: application/json' -d '{}' "$url" || { echo "McpApi did not start"; cat "$out/mcpapi.log"; exit 1; }
  wait_for 25 test -f "$out/metrics.switch.applied" || { echo "the startup hook bench/MetricsSwitch did not load"; cat "$out/mcpapi.log"; exit 1; }
  # Warm-up: both paths (metrics off and on) run under load until their hot methods reach their final JIT tier.
  for state in off on off; do switch_metrics "$state"; wrk -t2 -c$connections -d5s -s bench/echo.lua "$url" >/dev/null; done
  # One wrk run loads the server for the whole measurement (its connections stay open: the sampler counts the bytes
  # they received).
  wrk -t2 -c$connections -d"${measured}s" -s bench/echo.lua "$url" >"$out/wrk.txt" &
  wrk_pid=$!
  sleep 1
  /usr/bin/python3 bench/metrics_switch_sampler.py "$pid" "$port" "$out/metrics.switch" "$slice_seconds" "$groups" "$process" | tee -a "$results"
  kill "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true
  bench_cleanup_servers
done

/usr/bin/python3 - "$results" <<'PY'
import re, statistics, sys
from collections import defaultdict
groups = defaultdict(list)   # (process, group, kind) -> slices in order A B B A
for line in open(sys.argv[1]):
    process, group, kind, state, rest = line.split(" ", 4)
    groups[(int(process), int(group), kind)].append({k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)})
# A group in which the hypervisor took more than 2% of the CPUs during any slice is left out (one such slice halved
# the bare echo's requests/s in bench/run.sh), unless fewer than 3 groups of a kind would be left.
def ratios(kind, key):
    every = [g for k, g in groups.items() if k[2] == kind]
    calm = [g for g in every if max(s["steal_pct"] for s in g) <= 2.0]
    use = calm if len(calm) >= 3 else every
    return [(g[1][key] + g[2][key]) / (g[0][key] + g[3][key]) - 1 for g in use], len(calm), len(every)
def show(xs):
    q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
    return f"{q[1] * 100:+.1f}% (quartiles {q[0] * 100:+.1f} to {q[2] * 100:+.1f}%, {len(xs)} groups)"
kinds = sorted({k[2] for k in groups if k[2] != "aa"})
aa_cpu, aa_calm, aa_every = ratios("aa", "cpu_us")
aa_rps = ratios("aa", "rps")[0]
for kind in kinds:
    cost_cpu, calm, every = ratios(kind, "cpu_us")
    cost_rps = ratios(kind, "rps")[0]
    name = "metrics on vs off" if kind == "cost" else f"{kind[5:]} on vs off"
    print(f"{name}: calm groups {calm} of {every}")
    print(f"  CPU per request: {show(cost_cpu)}")
    print(f"  requests/s:      {show(cost_rps)}")
print(f"the same method, off vs off (A/A): calm groups {aa_calm} of {aa_every}")
print(f"  CPU per request: {show(aa_cpu)}")
print(f"  requests/s:      {show(aa_rps)}")
judged = "cost" if "cost" in kinds else "cost-full" if "cost-full" in kinds else None
if judged:
    cpu, rps = statistics.median(ratios(judged, "cpu_us")[0]), statistics.median(ratios(judged, "rps")[0])
    print(f"metrics' cost: {cpu * 100:+.1f}% CPU per request, {-rps * 100:.1f}% of requests/s (aim <= 3% each; "
          f"A/A {statistics.median(aa_cpu) * 100:+.1f}% and {-statistics.median(aa_rps) * 100:.1f}%)")
    print("aim met" if cpu <= 0.03 and -rps <= 0.03 else "aim missed")
PY
