#!/usr/bin/env bash
# End-to-end: starts the real (published) server with every door on a free loopback port (HTTP and TCP; never the
# defaults 5000/5050, which a server started with `dotnet run` may hold) and a throw-away database,
# drives it with curl and the Python clients, then stops it with SIGTERM.
# Usage: scripts/e2e.sh [path/to/McpApi.dll]   (default: artifacts/publish/McpApi.dll)
set -euo pipefail
cd "$(dirname "$0")/.."
dll=${1:-${MCPAPI_SERVER_DLL:-artifacts/publish/McpApi.dll}}
[ -f "$dll" ] || { echo "e2e: $dll not found; run: dotnet publish McpApi -c Release -o artifacts/publish" >&2; exit 2; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
tcp_port=$(free_port)
url="http://127.0.0.1:$port"
data=$(mktemp -d)
log="$data/server.log"
ConnectionStrings__McpApi="Data Source=$data/mcpapi.db" dotnet "$dll" --urls "$url" --McpApi:Tcp:Port="$tcp_port" >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fsS "$url/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "e2e: server exited during start-up"; cat "$log"; exit 1; }
  sleep 0.2
done
curl -fsS "$url/health" >/dev/null || { echo "e2e: server never became healthy"; cat "$log"; exit 1; }

fail() { echo "FAIL $1"; echo "--- server log"; tail -n 40 "$log"; exit 1; }
# expect NAME STATUS BODY-SUBSTRING curl-args...
expect() {
  local name=$1 status=$2 needle=$3; shift 3
  local out code
  out=$(curl -sS -w '\n%{http_code}' "$@")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [ "$code" = "$status" ] || fail "$name: expected HTTP $status, got $code: $out"
  [[ "$out" == *"$needle"* ]] || fail "$name: body lacks $needle: $out"
  echo "ok $name"
}

json=(-H 'Content-Type: application/json')
expect "seed shape echoed" 200 '{"status":"success","message":"MCP request processed successfully","data":{"echo":{"action":"test","parameters":{"key1":"value1","key2":"value2"}}}}' \
  "${json[@]}" -d '{"action":"test","parameters":{"key1":"value1","key2":"value2"}}' "$url/mcp"
expect "echo model" 200 '"data":"hi"' "${json[@]}" -d '{"model":"echo","context":"user","data":"hi"}' "$url/mcp"
expect "unknown model" 404 '"code":"unknown_model"' "${json[@]}" -d '{"model":"nope"}' "$url/mcp"
expect "unknown action" 404 '"code":"unknown_action"' "${json[@]}" -d '{"model":"echo","action":"nope"}' "$url/mcp"
expect "malformed json" 400 '"code":"malformed_json"' "${json[@]}" -d '{"model":' "$url/mcp"
expect "array body" 400 '"code":"envelope_not_object"' "${json[@]}" -d '[1,2]' "$url/mcp"
expect "wrong content type" 415 '"code":"unsupported_media_type"' -d 'model=echo' "$url/mcp"
big=$(mktemp)
/usr/bin/python3 -c 'import json,sys; sys.stdout.write(json.dumps({"data":"a"*1100000}))' >"$big"
expect "body over 1 MiB" 413 '"code":"payload_too_large"' "${json[@]}" --data-binary "@$big" "$url/mcp"
rm -f "$big"
expect "unknown route" 404 '"code":"not_found"' "$url/nowhere"
expect "models listing" 200 '"name":"echo"' "$url/mcp/models"
expect "swagger document" 200 '"/mcp"' "$url/swagger/v1/swagger.json"
expect "swagger ui" 200 'swagger-ui' "$url/swagger/index.html"
expect "liveness" 200 '"status":"Healthy"' "$url/health"
expect "readiness" 200 '"status":"Healthy"' "$url/health/ready"

/usr/bin/python3 clients/python/test_mcp_client.py "$url" || fail "python client"
tcp_reply=$(/usr/bin/python3 clients/python/tcp_client.py --port "$tcp_port" send '{"id":1,"model":"echo","data":"over tcp"}') || fail "tcp door: $tcp_reply"
[[ "$tcp_reply" == *'"over tcp"'* ]] || fail "tcp door: $tcp_reply"
echo "ok tcp door"

# Logs are written in batches: stop the server (SIGTERM flushes them) before reading its log.
kill -TERM "$pid"; wait "$pid" || true
grep -q 'HTTP POST /mcp echo/echo responded 200' "$log" || fail "request-completion log event missing"
grep -q 'Application is shutting down' "$log" || fail "graceful shutdown not logged"
echo "e2e: all checks passed"
