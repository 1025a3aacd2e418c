#!/usr/bin/env bash
# Where a request's CPU goes: McpApi published in Release, loaded by wrk with one storage scenario, sampled with perf
# (JIT'd code named through the runtime's perf map), then summarized as shares of the server's samples.
# Usage: bench/storage/profile.sh [scenario, default chat_send] [connections, default 32] [seconds, default 12] [git ref]
# Scenarios are those of bench/storage/storage.lua (echo, chat_send, notes_add, state_set, state_get, ...). With a git
# ref, that build is profiled instead of the working tree. Extra environment for the server: PROFILE_ENV="A=1 B=2".
# PROFILE_SAVE=<file> keeps the `perf script` output (for bench/mcp/cpu_shares.py <file> <requests> [--tree REGEX]).
# Prints: requests/s, server samples per 1000 requests, and the share of samples that are thread-pool spinning
# (sched_yield), JSON Schema evaluation, the SQLite writer thread, SQLite itself and fsync.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:-chat_send}; connections=${2:-32}; seconds=${3:-12}; ref=${4:-}
source bench/lib.sh
need_wrk
command -v perf >/dev/null || apt-get -o DPkg::Lock::Timeout=300 install -y -qq linux-perf >/dev/null

bench_workdir
publish McpApi/McpApi.csproj "$out/app" "$ref"

port=$(free_port); tcp=$(free_port)
# Tiered compilation off: every method is fully optimized when first called, so a short run samples steady-state
# code rather than the JIT. The perf map names JIT'd methods; W^X off lets perf read them.
(cd "$out/app" && env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 ${PROFILE_ENV:-} \
  dotnet McpApi.dll --urls "http://127.0.0.1:$port" --McpApi:Tcp:Port="$tcp" --ConnectionStrings:McpApi="Data Source=$out/bench.db") \
  >"$out/server.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_for 150 up "http://127.0.0.1:$port/health/ready" || true
seed_state "http://127.0.0.1:$port/mcp"
# chat history reads a full page of 50.
seed_chat "http://127.0.0.1:$port/mcp"
server=$(pgrep -P "$pid" -f McpApi.dll || echo "$pid")
threads=$(( connections == 1 ? 1 : 2 ))
wrk -t$threads -c"$connections" -d4s -s bench/storage/storage.lua "http://127.0.0.1:$port/mcp" -- "$scenario" w >/dev/null
perf record -F 499 -g -p "$server" -o "$out/perf.data" -- sleep $(( seconds - 2 )) >/dev/null 2>&1 &
recorder=$!
line=$(wrk -t$threads -c"$connections" -d"${seconds}s" --latency -s bench/storage/storage.lua "http://127.0.0.1:$port/mcp" -- "$scenario" m | grep RESULT)
wait "$recorder"
echo "$scenario at $connections connection(s): $line"
[[ -z "${PROFILE_SAVE:-}" ]] || perf script -i "$out/perf.data" 2>/dev/null >"$PROFILE_SAVE"
perf script -i "$out/perf.data" -F comm,ip,sym 2>/dev/null | python3 -c '
import re, sys
line = sys.argv[1]
requests = int(re.search(r"requests=(\d+)", line).group(1))
samples = [s for s in sys.stdin.read().split("\n\n") if s.strip()]
n = max(len(samples), 1)
def share(pattern): return 100 * sum(1 for s in samples if re.search(pattern, s)) / n
print(f"server samples per 1000 requests: {1000 * len(samples) / max(requests, 1):.1f} (perf at 499 Hz; compare runs of one machine)")
for name, pattern in [("thread-pool spinning (sched_yield)", "sched_yield"), ("JSON Schema evaluation", r"Json\.Schema"),
                      ("SQLite writer thread", r"^\s*SQLite writer"), ("SQLite (native)", "sqlite3"), ("fsync", "fsync|fdatasync"),
                      ("request log formatting (Serilog)", r"Serilog\.|BatchedConsoleSink")]:
    print(f"  {share(pattern):5.1f}%  {name}")
' "$line"
