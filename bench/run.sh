#!/usr/bin/env bash
# Envelope throughput: McpApi's POST /mcp echo (default configuration, request logging on) against a
# bare minimal-API echo, side by side on loopback, 32 connections, bounded in time. Prints the ratio.
# Usage: bench/run.sh [seconds per run, default 10] [rounds, default 3]
# The two servers are measured alternately, round after round, and the medians compared, so that a
# burst of other load on the machine hits both alike.
# Target: McpApi >= 0.80x the bare echo's requests/s, p99 <= 2x the bare's.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${2:-3}
connections=32
command -v wrk >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }

out=$(mktemp -d)
dotnet publish McpApi/McpApi.csproj -c Release -o "$out/mcpapi" >/dev/null
dotnet publish bench/BareEcho/BareEcho.csproj -c Release -o "$out/bare" >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

start() { # name dll port [args...]
  local name=$1 dll=$2 port=$3; shift 3
  (cd "$(dirname "$dll")" && exec dotnet "$(basename "$dll")" --urls "http://127.0.0.1:$port" "$@") >"$out/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/mcp" && return; sleep 0.2; done
  echo "$name did not start"; cat "$out/$name.log"; exit 1
}

measure() { # name port -> prints RESULT line
  local port=$2
  wrk -t2 -c$connections -d3s -s bench/echo.lua "http://127.0.0.1:$port/mcp" >/dev/null    # warm-up (JIT, pools)
  wrk -t2 -c$connections -d"${seconds}s" --latency -s bench/echo.lua "http://127.0.0.1:$port/mcp" | grep RESULT
}

# Each server's stdout goes to a file, as under a container runtime or systemd; McpApi logs one line per request there.
start bare "$out/bare/BareEcho.dll" 5101
start mcpapi "$out/mcpapi/McpApi.dll" 5102 --ConnectionStrings:McpApi="Data Source=$out/bench.db"

results="$out/results.txt"
for round in $(seq 1 "$rounds"); do
  echo "round $round: $(measure bare 5101 | sed 's/^RESULT/bare/' | tee -a "$results")"
  echo "round $round: $(measure mcpapi 5102 | sed 's/^RESULT/mcpapi/' | tee -a "$results")"
done
lines=$(grep -c 'HTTP POST /mcp' "$out/mcpapi.log" || true)
echo "mcpapi request-log lines written: $lines"

/usr/bin/python3 - "$results" <<'PY'
import re, statistics, sys
runs = {"bare": [], "mcpapi": []}
for line in open(sys.argv[1]):
    name, rest = line.split(" ", 1)
    runs[name].append({k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)})
med = {n: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p99_ms")} for n, rs in runs.items()}
ratio = med["mcpapi"]["rps"] / med["bare"]["rps"]
p99 = med["mcpapi"]["p99_ms"] / med["bare"]["p99_ms"]
print(f"median rps: bare {med['bare']['rps']:.0f}, mcpapi {med['mcpapi']['rps']:.0f}; "
      f"median p99: bare {med['bare']['p99_ms']:.2f} ms, mcpapi {med['mcpapi']['p99_ms']:.2f} ms")
print(f"throughput ratio: {ratio:.2f}x (target >= 0.80)   p99 ratio: {p99:.2f}x (target <= 2.00)")
print("PASS" if ratio >= 0.80 and p99 <= 2.0 else "BELOW TARGET")
PY
