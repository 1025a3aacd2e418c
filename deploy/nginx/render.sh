#!/bin/sh
# Renders mcpapi.conf.template into an nginx.conf on stdout. POSIX sh and sed only, so the same script runs in
# deploy/local-cluster.sh and inside the nginx container of deploy/compose.yaml: one template, one way to fill it.
# Usage: render.sh TEMPLATE RUN_DIR HTTP_LISTEN TCP_LISTEN LOAD_STREAM USER HTTP_SERVERS TCP_SERVERS
#   RUN_DIR       folder for the pid file, logs and temp files (must exist, with a tmp/ inside)
#   HTTP_LISTEN   e.g. 127.0.0.1:8080 or 8080;  TCP_LISTEN the same for the TCP door
#   LOAD_STREAM   "load_module .../ngx_stream_module.so;" where the stream module is dynamic, else ""
#   USER          "user nobody nogroup;" when the master runs as root and workers must not, else ""
#   HTTP_SERVERS  "server host:port max_fails=1 fail_timeout=2s; server ..." (one line); TCP_SERVERS the same
set -eu
[ $# -eq 8 ] || { echo "usage: $0 TEMPLATE RUN_DIR HTTP_LISTEN TCP_LISTEN LOAD_STREAM USER HTTP_SERVERS TCP_SERVERS" >&2; exit 2; }
escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
sed -e "s|@RUN@|$(escape "$2")|g" \
    -e "s|@HTTP_LISTEN@|$(escape "$3")|g" \
    -e "s|@TCP_LISTEN@|$(escape "$4")|g" \
    -e "s|@LOAD_STREAM@|$(escape "$5")|g" \
    -e "s|@USER@|$(escape "$6")|g" \
    -e "s|@HTTP_SERVERS@|        $(escape "$7")|g" \
    -e "s|@TCP_SERVERS@|        $(escape "$8")|g" \
    "$1"
