#!/usr/bin/env bash
# Cluster benchmark: the same requests through nginx to the local cluster (deploy/local-cluster.sh: 3 replicas,
# PostgreSQL storage, Redis backplane) and to one of its replicas directly, alternating round after round; prints the
# median requests/s, p99, the balancer / direct ratio, requests/s per replica, and CPU time per request of the
# replicas (together), of nginx and of PostgreSQL, which do not depend on how busy the rest of the machine is.
# Scenarios (bench/storage/storage.lua): echo (no storage: the request path and the nginx hop), state_set (a write to a
# new key each time: PostgreSQL's write rate, no shared lock), chat_send (one room: its advisory lock serializes).
# Usage: bench/cluster/run.sh [seconds per run, default 10] [rounds, default 3]   (MCPAPI_BENCH_CONNECTIONS, default 32)
# All processes share this one machine: the balancer figure is bounded by its cores, so it shows the cost of the
# extra hop and the cluster's parts, not what three machines would give (see deploy/README.md, "Sizing").
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
rounds=${2:-3}
connections=${MCPAPI_BENCH_CONNECTIONS:-32}
source bench/lib.sh
need_wrk

out=$(mktemp -d)
chmod 755 "$out"   # run as root, PostgreSQL runs as the postgres user, which must reach its folder inside
export MCPAPI_CLUSTER_DIR="$out/cluster"
cleanup() { bash deploy/local-cluster.sh stop >/dev/null 2>&1 || true; rm -rf "$out"; }
trap cleanup EXIT

echo "starting the cluster (publishing Release)..." >&2
cluster_start
pg_pid=$(head -n 1 "$MCPAPI_CLUSTER_DIR/pg/data/postmaster.pid")
hz=$(getconf CLK_TCK)

measure() { # scenario target url label -> appends one line to results
  local scenario=$1 target=$2 endpoint=$3 label=$4 before_r before_n before_p result requests
  before_r=$(ticks "${replica_pids[@]}"); before_n=$(ticks "$nginx_pid"); before_p=$(ticks "$pg_pid")
  result=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/storage/storage.lua "$endpoint/mcp" -- "$scenario" "$label" | grep RESULT)
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$result")
  echo "$scenario $target $result replicas_ticks=$(( $(ticks "${replica_pids[@]}") - before_r )) nginx_ticks=$(( $(ticks "$nginx_pid") - before_n )) pg_ticks=$(( $(ticks "$pg_pid") - before_p )) hz=$hz" >>"$out/results.txt"
  echo "  $scenario via $target: $result" >&2
}

load=$(cut -d' ' -f1 /proc/loadavg)
echo "machine: $(nproc) cores, load average $load before the run; ${#replicas[@]} replicas, $connections connections, ${seconds}s per run, $rounds rounds" | tee "$out/header.txt"
for scenario in echo state_set chat_send; do
  wrk -t2 -c"$connections" -d3s -s bench/storage/storage.lua "$url/mcp" -- "$scenario" "warm-$scenario" >/dev/null   # JIT, pools
  for round in $(seq 1 "$rounds"); do
    measure "$scenario" balancer "$url" "$scenario-b-$round"
    measure "$scenario" direct "${replicas[0]}" "$scenario-d-$round"
  done
done
echo "load average after the run: $(cut -d' ' -f1 /proc/loadavg)" >>"$out/header.txt"
python3 bench/cluster/report.py "$out/results.txt" "${#replicas[@]}" "$out/header.txt"
