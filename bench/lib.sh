# Shell functions the bench scripts share. Source it after `cd` to the repository root:
#   source bench/lib.sh
# Everything runs on 127.0.0.1; every wait is bounded.

# wrk, installed from Debian when missing.
need_wrk() {
  command -v wrk >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }
}

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# User + system time of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# User + system clock ticks of the processes given and their children (nginx workers, PostgreSQL backends).
ticks() {
  local total=0 pid child
  for pid in "$@"; do
    for child in "$pid" $(pgrep -P "$pid" || true); do
      [ -r "/proc/$child/stat" ] && total=$(( total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0) ))
    done
  done
  echo "$total"
}

# Sets out to a new temporary folder and pids to an empty list; on exit every process in pids is stopped (TERM) and
# waited for, and out is removed.
bench_workdir() {
  out=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() { bench_cleanup_servers; rm -rf "$out"; }
bench_cleanup_servers() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# publish PROJECT FOLDER [GIT_REF]: `dotnet publish` in Release into FOLDER; with a git ref, PROJECT (a path in the
# repository) as of that commit, extracted with `git archive` into FOLDER.src first.
publish() {
  local project=$1 folder=$2 ref=${3:-}
  if [ -n "$ref" ]; then
    mkdir -p "$folder.src"; git archive "$ref" | tar -x -C "$folder.src"
    project="$folder.src/$project"
  fi
  dotnet publish "$project" -c Release -o "$folder" --nologo -v q >/dev/null
}

# run_dll LOG DLL [ARGS...]: starts a published app in the background from its own folder, stdout and stderr to LOG
# (as under systemd or a container runtime); its pid is then in $!. Environment given before the call reaches it.
run_dll() {
  local log=$1 dll=$2; shift 2
  (cd "$(dirname "$dll")" && exec dotnet "$(basename "$dll")" "$@") >"$log" 2>&1 &
}

# wait_for TRIES COMMAND...: runs COMMAND every 0.2 s until it succeeds, at most TRIES times; fails if it never did.
wait_for() {
  local tries=$1 i; shift
  for (( i = 0; i < tries; i++ )); do "$@" && return 0; sleep 0.2; done
  return 1
}

# up URL: whether URL answers a 2xx to a GET.
up() { curl -fs -o /dev/null "$1"; }

# mcp_session URL: initializes an MCP session at URL (2025-11-25) and prints its Mcp-Session-Id.
mcp_session() {
  local url=$1 id
  id=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1.0"}}}' \
    "$url" | tr -d '\r' | awk 'tolower($1)=="mcp-session-id:"{print $2}')
  curl -s -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $id" \
    -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$url"
  echo "$id"
}

# The MCP request bodies bench/mcp/*.sh send (bench/mcp/mcp.lua posts $MCP_BODY).
mcp_call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo_echo","arguments":{"context":"bench","data":"hello"}}}'
mcp_meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1.0"},"io.modelcontextprotocol/clientCapabilities":{}}'
mcp_call2026='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo_echo","arguments":{"context":"bench","data":"hello"},'"$mcp_meta"'}}'
mcp_list='{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'
mcp_read='{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"notes://latest"}}'
mcp_prompt='{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"note_summary_prompt","arguments":{}}}'

# The rows bench/storage/storage.lua reads: seed_state URL (the state key "read"), seed_chat URL (a full page of 50
# messages in room "bench" for chat history), seed_games DB LABEL... (12,000 games a label and table, both seats
# taken, so that every move_play request is a valid play).
seed_state() {
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d '{"model":"state","action":"set","context":"bench","data":{"key":"read","value":{"hello":"world","n":42}}}' "$1"
}
seed_chat() {
  local i
  for i in $(seq 1 50); do
    curl -fsS -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"model\":\"chat\",\"action\":\"send\",\"context\":{\"user\":\"u\",\"room\":\"bench\"},\"data\":\"seed message $i\"}" "$1"
  done
}
seed_games() {
  python3 - "$@" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
now = int(time.time() * 1000)
rows = ((f"{label}-{tid}-{k}", "---------", "ana", "bob", "playing", None, 0, 1, now, now)
        for label in sys.argv[2:] for tid in (1, 2) for k in range(12000))
with db:
    db.executemany("INSERT INTO games (id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.close()
PY
}

# cluster_start: starts deploy/local-cluster.sh (in $MCPAPI_CLUSTER_DIR) and sets url (nginx), replicas (their URLs),
# replica_pids and nginx_pid.
cluster_start() {
  local started all
  started=$(bash deploy/local-cluster.sh start)
  url=$(sed -n 's/^URL=//p' <<<"$started")
  read -r -a replicas <<<"$(sed -n 's/^REPLICAS=//p' <<<"$started")"
  read -r -a all <<<"$(sed -n 's/^PIDS=//p' <<<"$started")"
  replica_pids=("${all[@]:1:${#replicas[@]}}")
  nginx_pid=${all[-1]}
}
