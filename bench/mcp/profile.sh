#!/usr/bin/env bash
# Where the CPU goes per MCP request: McpApi (published Release, default configuration) and the minimal SDK server
# (bench/BareMcp) each sampled with perf while wrk drives one kind of request, then every sample charged to a part
# (McpApi's middleware, the SDK's steps, logging, Kestrel, ...) by bench/mcp/cpu_shares.py, in CPU microseconds per request.
# Usage: bench/mcp/profile.sh [kind=2026-07-28|stateless|in-session|tools/list] [seconds=15] [connections=32]
# Needs perf (Debian: apt-get install linux-perf) and wrk. Both servers run with DOTNET_PerfMapEnabled=1 (JIT symbols
# for perf), DOTNET_EnableWriteXorExecute=0 (so perf can map JIT code) and DOTNET_ReadyToRun=0 (framework code is
# jitted too, and named); this makes them slower than in bench/mcp/run.sh, alike for both.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-2026-07-28}; seconds=${2:-15}; conns=${3:-32}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf"; exit 1; }

source bench/lib.sh
bench_workdir
publish McpApi/McpApi.csproj "$out/mcpapi"
publish bench/BareMcp/BareMcp.csproj "$out/bare"

case "$kind" in stateless|tools/list) mode=Stateless;; *) mode=StatefulForInitializeClients;; esac
declare -A port pid
start() { # name dll [args...]
  local name=$1 dll=$2; shift 2
  port[$name]=$(free_port)
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 \
    run_dll "$out/$name.log" "$dll" --urls "http://127.0.0.1:${port[$name]}" --Mcp:SessionMode=$mode "$@"
  pids+=($!); pid[$name]=$!
  wait_for 300 curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/mcp" && return
  echo "$name did not start"; cat "$out/$name.log"; exit 1
}
start mcpapi "$out/mcpapi/McpApi.dll" --McpApi:Tcp:Port="$(free_port)" --ConnectionStrings:McpApi="Data Source=$out/mcpapi.db"
start bare "$out/bare/BareMcp.dll"

export MCP_VERSION=2025-11-25 MCP_SESSION= MCP_METHOD= MCP_NAME=
case "$kind" in
  2026-07-28) export MCP_BODY=$mcp_call2026 MCP_VERSION=2026-07-28 MCP_METHOD=tools/call MCP_NAME=echo_echo ;;
  stateless|in-session) export MCP_BODY=$mcp_call ;;
  tools/list) export MCP_BODY=$mcp_list ;;
  *) echo "kind is one of 2026-07-28, stateless, in-session, tools/list"; exit 1 ;;
esac

for server in mcpapi bare; do
  url="http://127.0.0.1:${port[$server]}/mcp"
  [ "$kind" = in-session ] && MCP_SESSION=$(mcp_session "$url")
  wrk -t2 -c"$conns" -d60s -s bench/mcp/mcp.lua "$url" >/dev/null   # warm-up: every method reaches its final tier (longer on a busy machine: compare the two runs' totals)
  wrk -t2 -c"$conns" -d"$((seconds + 2))s" -s bench/mcp/mcp.lua "$url" | grep RESULT >"$out/$server.wrk" &
  load=$!
  sleep 1
  perf record -F 499 -g -p "${pid[$server]}" -o "$out/$server.perf" -- sleep "$seconds" 2>/dev/null >/dev/null
  wait "$load"
  rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' "$out/$server.wrk")
  echo; echo "== $server, $kind, $conns connections: $(cat "$out/$server.wrk")"
  perf script -i "$out/$server.perf" 2>/dev/null >"$out/$server.txt"
  python3 bench/mcp/cpu_shares.py "$out/$server.txt" "$((rps * seconds))"
done
