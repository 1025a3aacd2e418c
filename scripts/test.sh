#!/usr/bin/env bash
# Runs every test McpApi has, on a fresh Debian machine with the .NET 10 SDK:
# installs what the tests need (scripts/setup.d/*.sh), publishes the server exactly as the Dockerfile does,
# then runs the xunit suite (in-memory tests plus real clients against the published server), then a 120 s soak of
# the published server (bench/soak.sh, counted as one more test) with its figures.
# Ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

for step in scripts/setup.d/*.sh; do
  echo "== setup: $step"
  bash "$step"
done

echo "== publish (the Dockerfile's restore/publish steps)"
dotnet restore McpApi/McpApi.csproj
dotnet publish McpApi/McpApi.csproj -c Release --no-restore -o artifacts/publish
echo "== publish the conformance test host (McpApi plus the MCP conformance suite's fixtures)"
dotnet publish tests/McpApi.ConformanceServer/McpApi.ConformanceServer.csproj -c Release -o artifacts/conformance-server

echo "== test"
export MCPAPI_SERVER_DLL="$root/artifacts/publish/McpApi.dll"
export MCPAPI_CONFORMANCE_SERVER_DLL="$root/artifacts/conformance-server/McpApi.ConformanceServer.dll"
export MCPAPI_REPO_ROOT="$root"
log=$(mktemp)
set +e
dotnet test McpApi.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

echo "== soak (bench/soak.sh 120: mixed HTTP, WebSocket, TCP and SSE traffic against the published server)"
set +e
bash bench/soak.sh "${SOAK_SECONDS:-120}" 2>&1
soak_status=$?
set -e

summary=$(grep -E "(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+" "$log" | tail -n 1 || true)
failed=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
passed=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
skipped=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
rm -f "$log"
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
# The soak counts as one test.
if [ "$soak_status" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
