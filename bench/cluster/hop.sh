#!/usr/bin/env bash
# Where the replicas' extra CPU per request through nginx comes from: the echo envelope (no storage) on the local
# cluster (deploy/local-cluster.sh), four ways, alternating round after round, with the replicas' CPU time per request
# (user + system ticks from /proc, all replicas together) and nginx's:
#   direct   one wrk, 32 connections, to replica 1 (the other replicas idle)
#   spread   three wrk, 11 connections each, to the three replicas at once (no nginx: the load split three ways)
#   spread_low  the same with 2 connections each: a lower request rate per replica, as behind nginx on these cores
#   nginx1   32 connections to a second nginx rendered from the same template with replica 1 as its only upstream
#   nginx3   32 connections to the cluster's nginx (round robin over the three replicas)
# direct vs nginx1 is the cost of the hop itself; direct vs spread the cost of splitting the load over three processes.
# Usage: bench/cluster/hop.sh [seconds per run, default 5] [rounds, default 3]
#   MCPAPI_NGINX_TEMPLATE: another template to render both nginx configs from (to compare a change), default the deployed one.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}
rounds=${2:-3}
template=${MCPAPI_NGINX_TEMPLATE:-deploy/nginx/mcpapi.conf.template}
source bench/lib.sh
need_wrk

out=$(mktemp -d)
chmod 755 "$out"
export MCPAPI_CLUSTER_DIR="$out/cluster"
solo_pid=""
nginx_pid=""
cleanup() {
  [ -n "$solo_pid" ] && kill "$solo_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  bash deploy/local-cluster.sh stop >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

echo "starting the cluster..." >&2
cluster_start
conf="$MCPAPI_CLUSTER_DIR/nginx/nginx.conf"

# The cluster's nginx re-rendered from $template (it may be the candidate), and a second one in front of replica 1 only.
render() { # run_dir http_listen http_servers
  local load_stream="" user=""
  [ -e /usr/lib/nginx/modules/ngx_stream_module.so ] && load_stream="load_module /usr/lib/nginx/modules/ngx_stream_module.so;"
  [ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
  mkdir -p "$1/tmp"; chmod -R a+rwx "$1/tmp"; chmod a+x "$1"
  sh deploy/nginx/render.sh "$template" "$1" "$2" "127.0.0.1:$(free_port)" "$load_stream" "$user" "$3" "server 127.0.0.1:1;" >"$1/nginx.conf"
}
servers=""; for r in "${replicas[@]}"; do servers+="server ${r#http://} max_fails=1 fail_timeout=2s; "; done
url3=http://$(sed -n 's/^ *listen \(127.0.0.1:[0-9]*\);/\1/p' "$conf" | head -n 1)
render "$out/n3" "${url3#http://}" "$servers"
kill -QUIT "$nginx_pid"; while kill -0 "$nginx_pid" 2>/dev/null; do sleep 0.1; done
nginx -c "$out/n3/nginx.conf" -p "$out/n3" -g 'daemon off;' >"$out/n3/stdout.log" 2>&1 &
nginx_pid=$!
url1=http://127.0.0.1:$(free_port)
render "$out/n1" "${url1#http://}" "server ${replicas[0]#http://};"
nginx -c "$out/n1/nginx.conf" -p "$out/n1" -g 'daemon off;' >"$out/n1/stdout.log" 2>&1 &
solo_pid=$!
for u in "$url1" "$url3"; do for _ in $(seq 1 100); do curl -fs -o /dev/null "$u/health" && break; sleep 0.1; done; done

hz=$(getconf CLK_TCK)
requests_of() { grep -h RESULT "$@" | sed -E 's/.*requests=([0-9]+).*/\1/' | awk '{ s += $1 } END { print s + 0 }'; }

measure() { # way label
  local way=$1 label=$2 r0 n0 requests
  r0=$(ticks "${replica_pids[@]}"); n0=$(ticks "$nginx_pid" "$solo_pid")
  case $way in
    direct) wrk -t2 -c32 -d"${seconds}s" -s bench/storage/storage.lua "${replicas[0]}/mcp" -- echo "$label" >"$out/w0" ;;
    nginx1) wrk -t2 -c32 -d"${seconds}s" -s bench/storage/storage.lua "$url1/mcp" -- echo "$label" >"$out/w0" ;;
    nginx3) wrk -t2 -c32 -d"${seconds}s" -s bench/storage/storage.lua "$url3/mcp" -- echo "$label" >"$out/w0" ;;
    spread|spread_low)
      local waits=() per=11; [ "$way" = spread_low ] && per=2
      for i in 0 1 2; do wrk -t1 -c"$per" -d"${seconds}s" -s bench/storage/storage.lua "${replicas[$i]}/mcp" -- echo "$label" >"$out/w$i" & waits+=($!); done
      wait "${waits[@]}" ;;
  esac
  local files=("$out/w0"); [ "${way#spread}" != "$way" ] && files=("$out/w0" "$out/w1" "$out/w2")
  requests=$(requests_of "${files[@]}")
  echo "$way $requests $(( $(ticks "${replica_pids[@]}") - r0 )) $(( $(ticks "$nginx_pid" "$solo_pid") - n0 ))" >>"$out/results.txt"
  rm -f "$out"/w?
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) before; template $template; ${seconds}s x $rounds rounds" | tee "$out/header.txt"
wrk -t2 -c32 -d3s -s bench/storage/storage.lua "$url3/mcp" -- echo warm >/dev/null
wrk -t2 -c32 -d2s -s bench/storage/storage.lua "$url1/mcp" -- echo warm >/dev/null
for round in $(seq 1 "$rounds"); do
  for way in direct spread spread_low nginx1 nginx3; do measure "$way" "$way-$round"; done
done
echo "load average after: $(cut -d' ' -f1 /proc/loadavg)"
python3 - "$out/results.txt" "$hz" "$seconds" <<'EOF'
import sys, statistics
hz, seconds = int(sys.argv[2]), float(sys.argv[3])
rows = {}
for line in open(sys.argv[1]):
    way, requests, replica, nginx = line.split()
    rows.setdefault(way, []).append((int(requests), int(replica), int(nginx)))
print("| way | requests/s (median) | replica CPU us/request (median) | nginx CPU us/request (median) |")
print("|---|---|---|---|")
for way in ("direct", "spread", "spread_low", "nginx1", "nginx3"):
    r = rows.get(way, [])
    if not r:
        continue
    rps = statistics.median(x[0] for x in r) / seconds
    rep = statistics.median(x[1] / hz * 1e6 / max(x[0], 1) for x in r)
    ngx = statistics.median(x[2] / hz * 1e6 / max(x[0], 1) for x in r)
    print(f"| {way} | {rps:.0f} | {rep:.0f} | {ngx:.0f} |")
EOF
