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
command -v wrk >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }
command -v perf >/dev/null || apt-get -o DPkg::Lock::Timeout=300 install -y -qq linux-perf >/dev/null

out=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

src=.
if [[ -n "$ref" ]]; then mkdir -p "$out/src" && git archive "$ref" | tar -x -C "$out/src" && src="$out/src"; fi
dotnet publish "$src/McpApi/McpApi.csproj" -c Release -o "$out/app" >/dev/null

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
port=$(free_port); tcp=$(free_port)
# Tiered compilation off: every method is fully optimized when first called, so a short run samples steady-state
# code rather than the JIT. The perf map names JIT'd methods; W^X off lets perf read them.
(cd "$out/app" && env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 ${PROFILE_ENV:-} \
  dotnet McpApi.dll --urls "http://127.0.0.1:$port" --McpApi:Tcp:Port="$tcp" --ConnectionStrings:McpApi="Data Source=$out/bench.db") \
  >"$out/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.2; done
curl -fsS -o /dev/null -H 'Content-Type: application/json' \
  -d '{"model":"state","action":"set","context":"bench","data":{"key":"read","value":{"hello":"world","n":42}}}' "http://127.0.0.1:$port/mcp"
# chat history reads a full page of 50.
for i in $(seq 1 50); do
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"model\":\"chat\",\"action\":\"send\",\"context\":{\"user\":\"u\",\"room\":\"bench\"},\"data\":\"seed message $i\"}" "http://127.0.0.1:$port/mcp"
done
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
