#!/usr/bin/env bash
# The deploy/compose.yaml topology without Docker, from Debian packages (scripts/setup.d/50-cluster.sh): PostgreSQL 15,
# Redis and nginx on free loopback ports with throwaway data directories, and three published McpApi replicas
# (Storage:Provider=PostgreSql, Events:Backplane=Redis) behind nginx, round robin.
#   deploy/local-cluster.sh start   prints URL=<balancer HTTP URL>, TCP=<host:port of the balanced TCP door>,
#                                   REPLICAS=<each replica's own URL, space-separated> (and PG=, DIR=, PIDS=)
#   deploy/local-cluster.sh stop    stops everything it started, by process id, and removes the data
#   deploy/local-cluster.sh restart-replica N     stops replica N (if it still runs) and starts it on the same ports
#   deploy/local-cluster.sh restart-backplane [S]  stops redis-server, waits S seconds (default 1), starts it again
#                                   (PostgreSql backplane: ends the replicas' LISTEN/NOTIFY connections instead)
# Settings: MCPAPI_CLUSTER_DIR (default artifacts/cluster), MCPAPI_SERVER_DLL (a published McpApi.dll; default: publish
# into the cluster folder), MCPAPI_REPLICAS (default 3), MCPAPI_BACKPLANE (Redis or PostgreSql; default Redis),
# MCPAPI_REPLICA_ARGS (more settings for every replica, e.g. "--Mcp:SessionMode=Stateless").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=$(realpath -m "${MCPAPI_CLUSTER_DIR:-$root/artifacts/cluster}")
replicas=${MCPAPI_REPLICAS:-3}
backplane=${MCPAPI_BACKPLANE:-Redis}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >>"$dir/redis.log" 2>&1 &
}

# Replica $1 (1-based) on the ports in replica$1.env, in the background; appends its process id to pids.
# Every connection a replica gets comes from nginx: its per-client caps are raised to its totals (McpApi:Connections:
# MaxHttp, Mcp:MaxSessions) and nginx caps each client address instead (deploy/nginx). The same in compose.yaml.
start_replica() {
  # shellcheck disable=SC1090,SC1091
  . "$dir/cluster.env"; . "$dir/replica$1.env"
  # shellcheck disable=SC2086 # REPLICA_ARGS is a list of arguments
  (cd "$(dirname "$DLL")" && exec dotnet "$(basename "$DLL")" --urls "http://127.0.0.1:$PORT" \
      --McpApi:Tcp:Port="$TCP" --McpApi:Tcp:Address=127.0.0.1 \
      --Storage:Provider=PostgreSql --ConnectionStrings:McpApi="$PG_CONNECTION" \
      --Events:Backplane="$BACKPLANE" --ConnectionStrings:Redis="127.0.0.1:$REDIS_PORT" \
      --McpApi:Connections:MaxPerClient=1000 --Mcp:MaxSessionsPerClient=1000 $REPLICA_ARGS) >>"$dir/replica$1.log" 2>&1 &
  echo $! >>"$dir/pids"
}

# Stops the process whose id is on line $1 of pids (TERM, then KILL after 10 s; nothing if it already ended).
stop_line() {
  local pid; pid=$(sed -n "${1}p" "$dir/pids")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# Puts the last line of pids (a process just started) on line $1 instead.
move_last_to() {
  local pid; pid=$(tail -n 1 "$dir/pids")
  sed -i '$d' "$dir/pids"
  sed -i "${1}s/.*/$pid/" "$dir/pids"
  echo "PID=$pid"
}

# restart-replica N: stops replica N if it still runs (a kill -9 before is fine), starts it again on the same HTTP and
# TCP ports, and waits until it is ready; nginx sends to it again once it accepts connections.
restart_replica() {
  local n=${1:?usage: $0 restart-replica N}
  [ -f "$dir/replica$n.env" ] || { echo "no replica $n in $dir" >&2; exit 2; }
  stop_line $((n + 1))
  start_replica "$n"
  move_last_to $((n + 1))
  . "$dir/replica$n.env"
  for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" || { echo "replica $n did not become ready; see $dir/replica$n.log" >&2; exit 1; }
  echo "URL=http://127.0.0.1:$PORT"
}

# restart-backplane [SECONDS]: Redis: stops redis-server, waits (default 1 s), starts it again on the same port.
# PostgreSql: ends every replica's backplane connections (pg_terminate_backend; the database itself keeps running),
# waits, and the replicas reconnect by themselves.
restart_backplane() {
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  if [ "$BACKPLANE" = PostgreSql ]; then
    local port; port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG_CONNECTION")
    local ended; ended=$(psql -h 127.0.0.1 -p "$port" -U mcpapi -d mcpapi -Atqc \
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'McpApi backplane';")
    [ "$ended" -gt 0 ] || { echo "no backplane connection to end (application_name 'McpApi backplane')" >&2; exit 1; }
    echo "ENDED=$ended"
    sleep "${1:-1}"
    return
  fi
  stop_line 1
  sleep "${1:-1}"
  start_redis "$REDIS_PORT"
  echo $! >>"$dir/pids"
  move_last_to 1
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
}

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
  [ -n "${PG_CONNECTION:-}" ] || { echo "PostgreSQL did not start in $dir/pg (as root it runs as the postgres user, which needs to reach that folder)" >&2; exit 1; }
  local redis_port; redis_port=$(free_port)
  start_redis "$redis_port"
  echo $! >>"$dir/pids"

  # What restart-replica and restart-backplane need to start a process again on the same ports.
  printf 'DLL=%q\nPG_CONNECTION=%q\nREDIS_PORT=%q\nBACKPLANE=%q\nREPLICA_ARGS=%q\n' "$dll" "$PG_CONNECTION" "$redis_port" \
      "$backplane" "${MCPAPI_REPLICA_ARGS:-}" >"$dir/cluster.env"

  local urls=() http_servers="" tcp_servers=""
  for i in $(seq 1 "$replicas"); do
    local port tcp; port=$(free_port); tcp=$(free_port)
    printf 'PORT=%q\nTCP=%q\n' "$port" "$tcp" >"$dir/replica$i.env"
    start_replica "$i"
    urls+=("http://127.0.0.1:$port")
    http_servers+="server 127.0.0.1:$port max_fails=1 fail_timeout=2s; "
    tcp_servers+="server 127.0.0.1:$tcp max_fails=1 fail_timeout=2s; "
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
  sh deploy/nginx/render.sh deploy/nginx/mcpapi.conf.template "$dir/nginx" "127.0.0.1:$http_port" "127.0.0.1:$tcp_port" \
      "$load_stream" "$user" "$http_servers" "$tcp_servers" >"$dir/nginx/nginx.conf"
  nginx -t -c "$dir/nginx/nginx.conf" -p "$dir/nginx" >"$dir/nginx/test.log" 2>&1 || { cat "$dir/nginx/test.log" >&2; exit 1; }
  nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -g 'daemon off;' >"$dir/nginx/stdout.log" 2>&1 &
  echo $! >>"$dir/pids"
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$http_port/health" && break; sleep 0.1; done
  curl -fs -o /dev/null "http://127.0.0.1:$http_port/health" || { echo "nginx did not answer; see $dir/nginx" >&2; exit 1; }

  echo "URL=http://127.0.0.1:$http_port"
  echo "TCP=127.0.0.1:$tcp_port"
  echo "REPLICAS=${urls[*]}"
  echo "PG=$PG_CONNECTION"
  echo "DIR=$dir"
  echo "PIDS=$(tr '\n' ' ' <"$dir/pids" | sed 's/ $//')"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart-replica) restart_replica "${2:-}" ;;
  restart-backplane) restart_backplane "${2:-1}" ;;
  *) echo "usage: $0 start|stop|restart-replica N|restart-backplane [SECONDS]" >&2; exit 2 ;;
esac
