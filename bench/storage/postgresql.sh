#!/usr/bin/env bash
# The PostgreSQL row of bench/storage/run.sh: chat send on one McpApi replica with Storage:Provider=PostgreSql, against a
# throwaway PostgreSQL 15 cluster on this machine (deploy/postgres-throwaway.sh: fsync and synchronous_commit on), at 1
# and 32 connections. No group commit of our own here: concurrent transactions share PostgreSQL's WAL flushes.
# All sends go to one room, as in the SQLite scenario, so they also queue on that room's lock (ids grow in commit order).
# Usage: bench/storage/postgresql.sh <published McpApi folder> <seconds per run> <results file>
set -euo pipefail
cd "$(dirname "$0")/../.."
app=$1 seconds=$2 results=$3
source bench/lib.sh
bench_workdir
cleanup() { bench_cleanup_servers; bash deploy/postgres-throwaway.sh stop "$out"; rm -rf "$out"; }
trap cleanup EXIT
eval "$(bash deploy/postgres-throwaway.sh start "$out" | sed -E 's/^([A-Z_]+)=(.*)$/\1="\2"/')"
port=$(free_port)
tcp=$(free_port)
run_dll "$out/server.log" "$app/McpApi.dll" --urls "http://127.0.0.1:$port" --McpApi:Tcp:Port="$tcp" \
    --Storage:Provider=PostgreSql --ConnectionStrings:McpApi="$PG_CONNECTION"
pids+=($!)
wait_for 150 up "http://127.0.0.1:$port/health/ready" || { echo "the PostgreSQL replica did not start"; cat "$out/server.log"; exit 1; }
for connections in 1 32; do
  threads=$(( connections == 1 ? 1 : 2 ))
  url="http://127.0.0.1:$port/mcp"
  wrk -t$threads -c$connections -d2s -s bench/storage/storage.lua "$url" -- chat_send "pw$connections" >/dev/null
  line=$(wrk -t$threads -c$connections -d"${seconds}s" --latency -s bench/storage/storage.lua "$url" -- chat_send "pm$connections" | grep RESULT)
  echo "$connections chat_send postgresql $line" | tee -a "$results"
done
