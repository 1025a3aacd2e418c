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

out=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
dotnet publish McpApi/McpApi.csproj -c Release -o "$out/mcpapi" --nologo -v q >/dev/null
dotnet publish bench/BareMcp/BareMcp.csproj -c Release -o "$out/bare" --nologo -v q >/dev/null

case "$kind" in stateless|tools/list) mode=Stateless;; *) mode=StatefulForInitializeClients;; esac
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
declare -A port pid
start() { # name dll [args...]
  local name=$1 dll=$2; shift 2
  port[$name]=$(free_port)
  (cd "$(dirname "$dll")" && DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 \
    exec dotnet "$(basename "$dll")" --urls "http://127.0.0.1:${port[$name]}" --Mcp:SessionMode=$mode "$@") >"$out/$name.log" 2>&1 &
  pids+=($!); pid[$name]=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/mcp" && return; sleep 0.2; done
  echo "$name did not start"; cat "$out/$name.log"; exit 1
}
start mcpapi "$out/mcpapi/McpApi.dll" --McpApi:Tcp:Port="$(free_port)" --ConnectionStrings:McpApi="Data Source=$out/mcpapi.db"
start bare "$out/bare/BareMcp.dll"

meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1.0"},"io.modelcontextprotocol/clientCapabilities":{}}'
export MCP_VERSION=2025-11-25 MCP_SESSION= MCP_METHOD= MCP_NAME=
case "$kind" in
  2026-07-28) export MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo_echo","arguments":{"context":"bench","data":"hello"},'"$meta"'}}' \
                MCP_VERSION=2026-07-28 MCP_METHOD=tools/call MCP_NAME=echo_echo ;;
  stateless|in-session) export MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo_echo","arguments":{"context":"bench","data":"hello"}}}' ;;
  tools/list) export MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}' ;;
  *) echo "kind is one of 2026-07-28, stateless, in-session, tools/list"; exit 1 ;;
esac
session() { # server -> Mcp-Session-Id of an initialized session
  local url="http://127.0.0.1:${port[$1]}/mcp" id
  id=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1.0"}}}' \
    "$url" | tr -d '\r' | awk 'tolower($1)=="mcp-session-id:"{print $2}')
  curl -s -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $id" \
    -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$url"
  echo "$id"
}

for server in mcpapi bare; do
  url="http://127.0.0.1:${port[$server]}/mcp"
  [ "$kind" = in-session ] && MCP_SESSION=$(session "$server")
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
