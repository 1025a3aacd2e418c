#!/usr/bin/env bash
# Bytes allocated and CPU time per MCP request in McpApi (published Release, default configuration plus the Prometheus
# endpoint, loopback only), for each kind of request bench/mcp/run.sh measures, plus the answer's size. Unlike req/s,
# both hardly depend on what else the machine is doing, so before/after figures taken on a busy machine still compare.
# Allocated bytes: the runtime's dotnet_gc_heap_total_allocated_bytes_total from GET /metrics before and after a wrk run,
# divided by the requests wrk counted (background work such as timers and the log sink is included: a few bytes per request).
# CPU: utime+stime of the server process from /proc/<pid>/stat over the same run.
# Usage: bench/mcp/allocations.sh [seconds per run=5] [connections=8]
#   MCPAPI_REF=<git ref> measures McpApi as of that commit (for before/after figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}; conns=${2:-8}
source bench/lib.sh
need_wrk

bench_workdir
publish McpApi/McpApi.csproj "$out/mcpapi" "${MCPAPI_REF:-}"

declare -A port pid
start() { # name [args...]
  local name=$1; shift
  port[$name]=$(free_port)
  run_dll "$out/$name.log" "$out/mcpapi/McpApi.dll" --urls "http://127.0.0.1:${port[$name]}" --McpApi:Tcp:Port="$(free_port)" \
    --ConnectionStrings:McpApi="Data Source=$out/$name.db" --McpApi:Telemetry:Prometheus=true "$@"
  pids+=($!); pid[$name]=$!
  wait_for 300 curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/health" && return
  echo "$name did not start"; cat "$out/$name.log"; exit 1
}
start stateless --Mcp:SessionMode=Stateless
start default

sid=$(mcp_session "http://127.0.0.1:${port[default]}/mcp")

allocated() { # server -> bytes allocated so far (the exporter caches a scrape briefly: wait it out first)
  sleep 1
  curl -s "http://127.0.0.1:${port[$1]}/metrics" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/{print $2}'
}
measure() { # kind server body version session method name
  local kind=$1 server=$2 url="http://127.0.0.1:${port[$2]}/mcp" size answer
  export MCP_BODY=$3 MCP_VERSION=$4 MCP_SESSION=$5 MCP_METHOD=$6 MCP_NAME=$7
  answer=$(curl -s -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "MCP-Protocol-Version: $4" \
    ${5:+-H "Mcp-Session-Id: $5"} ${6:+-H "Mcp-Method: $6"} ${7:+-H "Mcp-Name: $7"} -d "$3" "$url")
  case "$answer" in *'"result"'*) ;; *) echo "$kind did not answer a result: ${answer:0:400}"; exit 1;; esac
  size=$(printf '%s' "$answer" | wc -c)
  wrk -t2 -c"$conns" -d"$(( seconds > 5 ? seconds : 5 ))s" -s bench/mcp/mcp.lua "$url" >/dev/null   # warm-up (JIT tiers, pools)
  local bytes0 ticks0 line bytes1 ticks1 requests
  bytes0=$(allocated "$server"); ticks0=$(cpu_ticks "${pid[$server]}")
  line=$(wrk -t2 -c"$conns" -d"${seconds}s" -s bench/mcp/mcp.lua "$url" | grep RESULT)
  ticks1=$(cpu_ticks "${pid[$server]}"); bytes1=$(allocated "$server")
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  python3 -c "print(f'{\"$kind\":<15} {$requests:>9} {($bytes1 - $bytes0) / max($requests, 1):>12.0f} {($ticks1 - $ticks0) * 1e6 / $(getconf CLK_TCK) / max($requests, 1):>8.1f} {$size:>10}')"
}
printf '%-15s %9s %12s %8s %10s\n' request requests 'bytes/req' 'CPU us' 'answer B'
measure stateless stateless "$mcp_call" 2025-11-25 "" "" ""
measure 2026-07-28 default "$mcp_call2026" 2026-07-28 "" tools/call echo_echo
measure in-session default "$mcp_call" 2025-11-25 "$sid" "" ""
measure tools/list stateless "$mcp_list" 2025-11-25 "" "" ""
measure resources/read stateless "$mcp_read" 2025-11-25 "" "" ""
echo "McpApi ${MCPAPI_REF:-work tree}, $conns connections, ${seconds} s per kind; bytes/req and CPU us include the /metrics scrapes and background work"
