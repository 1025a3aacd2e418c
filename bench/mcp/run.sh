#!/usr/bin/env bash
# MCP tools/call throughput: McpApi (published Release, default configuration and logging) against a minimal SDK server
# (bench/BareMcp: the same C# SDK, one [McpServerTool] echo tool), side by side in one run, wrk at 1 and 32 connections.
# Kinds of request: stateless (Mcp:SessionMode=Stateless on both), 2026-07-28 (per-request _meta and Mcp-Method /
# Mcp-Name headers, default session mode on both), in-session (initialize first, default mode); plus tools/list on
# both and resources/read notes://latest and prompts/get on McpApi alone (the baseline has neither).
# Rounds alternate the servers and the medians are compared, so a burst of other load hits both alike.
# Usage: bench/mcp/run.sh [seconds per run=5] [rounds=3]
#   MCPAPI_REF=<git ref> measures McpApi as of that commit instead of the work tree (for before/after figures).
# Targets (issue 12): McpApi >= 0.9x the baseline's req/s per kind; stateless p99 <= 2x the baseline's.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}; rounds=${2:-3}
source bench/lib.sh
need_wrk

bench_workdir
publish McpApi/McpApi.csproj "$out/mcpapi" "${MCPAPI_REF:-}"
publish bench/BareMcp/BareMcp.csproj "$out/bare"

declare -A port pid
start() { # name dll [args...]
  local name=$1 dll=$2; shift 2
  port[$name]=$(free_port)
  run_dll "$out/$name.log" "$dll" --urls "http://127.0.0.1:${port[$name]}" "$@"
  pids+=($!); pid[$name]=$!
  wait_for 150 curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/mcp" && return
  echo "$name did not start"; cat "$out/$name.log"; exit 1
}
start bare-stateless "$out/bare/BareMcp.dll" --Mcp:SessionMode=Stateless
start bare-default "$out/bare/BareMcp.dll" --Mcp:SessionMode=StatefulForInitializeClients
start mcpapi-stateless "$out/mcpapi/McpApi.dll" --Mcp:SessionMode=Stateless --McpApi:Tcp:Port="$(free_port)" --ConnectionStrings:McpApi="Data Source=$out/stateless.db"
start mcpapi-default "$out/mcpapi/McpApi.dll" --McpApi:Tcp:Port="$(free_port)" --ConnectionStrings:McpApi="Data Source=$out/default.db"

session() { mcp_session "http://127.0.0.1:${port[$1]}/mcp"; }   # server -> Mcp-Session-Id of an initialized session
declare -A sessions=([bare-default]=$(session bare-default) [mcpapi-default]=$(session mcpapi-default))

# kind server body version session method name
# Besides wrk's figures, the server's CPU time per request (utime+stime from /proc/<pid>/stat over the run): unlike
# req/s it hardly depends on what else the machine is doing, so its ratio is the one to trust on a busy machine.
run() {
  local kind=$1 server=$2 body=$3 version=$4 sid=$5 method=$6 name=$7 url="http://127.0.0.1:${port[$2]}/mcp" c=$8 duration=$9
  local before after line requests
  before=$(cpu_ticks "${pid[$server]}")
  line=$(MCP_BODY=$body MCP_VERSION=$version MCP_SESSION=$sid MCP_METHOD=$method MCP_NAME=$name \
    wrk -t$(( c > 1 ? 2 : 1 )) -c"$c" -d"${duration}s" --latency -s bench/mcp/mcp.lua "$url" | grep RESULT)
  after=$(cpu_ticks "${pid[$server]}")
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  echo "$line cpu_us=$(python3 -c "print(f'{($after - $before) * 1e6 / $(getconf CLK_TCK) / max($requests, 1):.1f}')")"
}
check() { # the same request once with curl: it must answer a result, not an error
  local server=$2 body=$3 version=$4 sid=$5 method=$6 name=$7 answer
  answer=$(curl -s -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "MCP-Protocol-Version: $version" \
    ${sid:+-H "Mcp-Session-Id: $sid"} ${method:+-H "Mcp-Method: $method"} ${name:+-H "Mcp-Name: $name"} -d "$body" "http://127.0.0.1:${port[$server]}/mcp")
  case "$answer" in *'"result"'*) ;; *) echo "$1 on $server did not answer a result: $answer"; exit 1;; esac
  case "$answer" in *'"isError":true'*) echo "$1 on $server answered a tool error: $answer"; exit 1;; esac
}
jobs=(
  "stateless|bare-stateless|$mcp_call|2025-11-25|||"
  "stateless|mcpapi-stateless|$mcp_call|2025-11-25|||"
  "2026-07-28|bare-default|$mcp_call2026|2026-07-28||tools/call|echo_echo"
  "2026-07-28|mcpapi-default|$mcp_call2026|2026-07-28||tools/call|echo_echo"
  "in-session|bare-default|$mcp_call|2025-11-25|${sessions[bare-default]}||"
  "in-session|mcpapi-default|$mcp_call|2025-11-25|${sessions[mcpapi-default]}||"
  "tools/list|bare-stateless|$mcp_list|2025-11-25|||"
  "tools/list|mcpapi-stateless|$mcp_list|2025-11-25|||"
  "resources/read|mcpapi-stateless|$mcp_read|2025-11-25|||"
  "prompts/get|mcpapi-stateless|$mcp_prompt|2025-11-25|||"
)
for job in "${jobs[@]}"; do
  IFS='|' read -r kind server body version sid method name <<<"$job"
  check "$kind" "$server" "$body" "$version" "$sid" "$method" "$name"
  run "$kind" "$server" "$body" "$version" "$sid" "$method" "$name" 32 "$(( seconds > 5 ? seconds : 5 ))" >/dev/null   # warm-up (JIT tiers, pools)
done
results="$out/results.txt"
for round in $(seq 1 "$rounds"); do
  for job in "${jobs[@]}"; do
    IFS='|' read -r kind server body version sid method name <<<"$job"
    for c in 1 32; do
      case "$kind" in tools/list|resources/read|prompts/get) [ "$c" = 32 ] || continue;; esac
      line=$(run "$kind" "$server" "$body" "$version" "$sid" "$method" "$name" "$c" "$seconds")
      echo "$kind ${server%%-*} $c ${line#RESULT }" | tee -a "$results"
    done
  done
done

python3 - "$results" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    kind, server, c, rest = line.split(" ", 3)
    runs.setdefault((kind, int(c)), {}).setdefault(server, []).append({k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)})
med = lambda rs, k: statistics.median(r[k] for r in rs)
print(f"\n{'request':<15}{'conns':>6} | {'McpApi req/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'CPU us':>7} | {'SDK req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU us':>7} | {'req/s ratio':>11} {'p99 ratio':>9} {'CPU ratio':>9}")
for (kind, c), servers in runs.items():
    m = servers["mcpapi"]
    row = f"{kind:<15}{c:>6} | {med(m,'rps'):>12.0f} {med(m,'p50_ms'):>8.2f} {med(m,'p99_ms'):>8.2f} {med(m,'cpu_us'):>7.0f} | "
    if "bare" in servers:
        b = servers["bare"]
        row += (f"{med(b,'rps'):>10.0f} {med(b,'p50_ms'):>8.2f} {med(b,'p99_ms'):>8.2f} {med(b,'cpu_us'):>7.0f} | "
                f"{med(m,'rps')/med(b,'rps'):>10.2f}x {med(m,'p99_ms')/med(b,'p99_ms'):>8.2f}x {med(b,'cpu_us')/med(m,'cpu_us'):>8.2f}x")
    else:
        row += f"{'-':>10} {'-':>8} {'-':>8} {'-':>7} | {'-':>11} {'-':>9} {'-':>9}"
    print(row)
errors = sum(r["errors"] for s in runs.values() for rs in s.values() for r in rs)
print(f"wrk socket/status errors over all runs: {errors:.0f}   (figures are medians of {len(next(iter(runs.values()))['mcpapi'])} rounds)")
print("CPU us = the server's CPU time per request; CPU ratio = SDK's / McpApi's, comparable to the req/s ratio (>= 0.9 is the target)")
PY
