#!/usr/bin/env bash
# The deploy/compose.yaml topology without Docker, from Debian packages (scripts/setup.d/50-cluster.sh): PostgreSQL 15,
# Redis and nginx on free loopback ports with throwaway data directories, and three published McpApi replicas
# (Storage:Provider=PostgreSql, Events:Backplane=Redis) behind nginx, round robin.
#   deploy/local-cluster.sh start   prints URL=<balancer HTTP URL>, TCP=<host:port of the balanced TCP door>,
#                                   REPLICAS=<each replica's own URL, space-separated> (and DIR=, PIDS=)
#   deploy/local-cluster.sh stop    stops everything it started, by process id, and removes the data
# Settings: MCPAPI_CLUSTER_DIR (default artifacts/cluster), MCPAPI_SERVER_DLL (a published McpApi.dll; default: publish
# into the cluster folder), MCPAPI_REPLICAS (default 3), MCPAPI_BACKPLANE (Redis or PostgreSql; default Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=$(realpath -m "${MCPAPI_CLUSTER_DIR:-$root/artifacts/cluster}")
replicas=${MCPAPI_REPLICAS:-3}
backplane=${MCPAPI_BACKPLANE:-Redis}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

stop() {
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pids" ]; then
    # Balancer first, then the replicas, then what they use.
    tac "$dir/pids" | while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $(cat "$dir/pids"); do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  bash deploy/postgres-throwaway.sh stop "$dir" || true
  rm -rf "$dir"
}

start() {
  [ ! -e "$dir/pids" ] || { echo "a cluster already runs from $dir; run: $0 stop" >&2; exit 1; }
  mkdir -p "$dir"
  : >"$dir/pids"
  trap 'echo "start failed; logs in $dir" >&2' ERR
  local dll=${MCPAPI_SERVER_DLL:-}
  if [ -z "$dll" ]; then
    dotnet publish McpApi/McpApi.csproj -c Release -o "$dir/app" >"$dir/publish.log" 2>&1
    dll="$dir/app/McpApi.dll"
  fi
  eval "$(bash deploy/postgres-throwaway.sh start "$dir" | sed -E 's/^([A-Z_]+)=(.*)$/\1="\2"/')"
  local redis_port; redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$dir/redis.log" 2>&1 &
  echo $! >>"$dir/pids"

  local urls=() http_servers="" tcp_servers=""
  for i in $(seq 1 "$replicas"); do
    local port tcp; port=$(free_port); tcp=$(free_port)
    (cd "$(dirname "$dll")" && exec dotnet "$(basename "$dll")" --urls "http://127.0.0.1:$port" \
        --McpApi:Tcp:Port="$tcp" --McpApi:Tcp:Address=127.0.0.1 \
        --Storage:Provider=PostgreSql --ConnectionStrings:McpApi="$PG_CONNECTION" \
        --Events:Backplane="$backplane" --ConnectionStrings:Redis="127.0.0.1:$redis_port") >"$dir/replica$i.log" 2>&1 &
    echo $! >>"$dir/pids"
    urls+=("http://127.0.0.1:$port")
    http_servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"$'\n'
    tcp_servers+="        server 127.0.0.1:$tcp max_fails=1 fail_timeout=2s;"$'\n'
  done
  for url in "${urls[@]}"; do
    for _ in $(seq 1 300); do curl -fs -o /dev/null "$url/health/ready" && break; sleep 0.2; done
    curl -fs -o /dev/null "$url/health/ready" || { echo "replica $url did not become ready; see $dir/replica*.log" >&2; exit 1; }
  done

  local http_port tcp_port; http_port=$(free_port); tcp_port=$(free_port)
  mkdir -p "$dir/nginx/tmp"
  local load_stream="" user=""
  [ -e /usr/lib/nginx/modules/ngx_stream_module.so ] && load_stream="load_module /usr/lib/nginx/modules/ngx_stream_module.so;"
  if [ "$(id -u)" -eq 0 ]; then user="user nobody nogroup;"; chmod -R a+rwx "$dir/nginx/tmp"; chmod a+x "$dir" "$dir/nginx"; fi
  HTTP_SERVERS="$http_servers" TCP_SERVERS="$tcp_servers" python3 - deploy/nginx/mcpapi.conf.template "$dir/nginx" "$http_port" "$tcp_port" \
      "$load_stream" "$user" >"$dir/nginx/nginx.conf" <<'PY'
import os, sys
template, run, http_port, tcp_port, load_stream, user = sys.argv[1:7]
text = open(template).read()
for key, value in {"@RUN@": run, "@HTTP_PORT@": http_port, "@TCP_PORT@": tcp_port, "@LOAD_STREAM@": load_stream, "@USER@": user,
                   "@HTTP_SERVERS@": os.environ["HTTP_SERVERS"].rstrip("\n"), "@TCP_SERVERS@": os.environ["TCP_SERVERS"].rstrip("\n")}.items():
    text = text.replace(key, value)
print(text)
PY
  nginx -t -c "$dir/nginx/nginx.conf" -p "$dir/nginx" >"$dir/nginx/test.log" 2>&1 || { cat "$dir/nginx/test.log" >&2; exit 1; }
  nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -g 'daemon off;' >"$dir/nginx/stdout.log" 2>&1 &
  echo $! >>"$dir/pids"
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$http_port/health" && break; sleep 0.1; done
  curl -fs -o /dev/null "http://127.0.0.1:$http_port/health" || { echo "nginx did not answer; see $dir/nginx" >&2; exit 1; }

  echo "URL=http://127.0.0.1:$http_port"
  echo "TCP=127.0.0.1:$tcp_port"
  echo "REPLICAS=${urls[*]}"
  echo "DIR=$dir"
  echo "PIDS=$(tr '\n' ' ' <"$dir/pids" | sed 's/ $//')"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
