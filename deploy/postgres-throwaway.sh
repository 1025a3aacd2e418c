#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster from the Debian package (scripts/setup.d/50-cluster.sh), for benchmarks and
# deploy/local-cluster.sh: initdb into <dir>/pg, start on a free loopback port (socket in <dir>/pg too), create the
# database "mcpapi" owned by the superuser "mcpapi" (trust auth on loopback only). Run as root, the cluster belongs to the
# postgres user (PostgreSQL refuses root), through runuser. Durable settings: fsync and synchronous_commit stay on.
#   deploy/postgres-throwaway.sh start <dir>   prints PG_PORT=<port>, PG_PID=<postmaster pid> and
#                                              PG_CONNECTION=<ConnectionStrings:McpApi value>
#   deploy/postgres-throwaway.sh stop <dir>    fast shutdown of that postmaster, by its process id
set -euo pipefail
bin=${MCPAPI_PG_BIN:-/usr/lib/postgresql/15/bin}
action=${1:?usage: $0 start|stop <dir>}
dir=$(realpath -m "${2:?usage: $0 start|stop <dir>}")
data="$dir/pg/data"
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    [ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is missing ($bin/initdb): run scripts/setup.d/50-cluster.sh" >&2; exit 1; }
    mkdir -p "$dir/pg"
    # The postgres user must reach its folder: the parent only needs to be traversable.
    if [ "$(id -u)" -eq 0 ]; then chmod a+x "$dir"; chown postgres:postgres "$dir/pg"; fi
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    as_postgres "$bin/initdb" -D "$data" -U mcpapi --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1
    as_postgres "$bin/pg_ctl" -D "$data" -l "$dir/pg/postgres.log" -w -t 60 \
      -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null
    psql -h 127.0.0.1 -p "$port" -U mcpapi -d postgres -qc "CREATE DATABASE mcpapi;"
    echo "PG_PORT=$port"
    echo "PG_PID=$(head -n 1 "$data/postmaster.pid")"
    echo "PG_CONNECTION=Host=127.0.0.1;Port=$port;Database=mcpapi;Username=mcpapi;Maximum Pool Size=50"
    ;;
  stop)
    [ -f "$data/postmaster.pid" ] || exit 0
    pid=$(head -n 1 "$data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -QUIT "$pid" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop <dir>" >&2; exit 2 ;;
esac
