#!/usr/bin/env bash
# Debian packages for the PostgreSQL storage provider, the event backplanes and the local cluster:
# postgresql-15 (the storage tests start a throwaway cluster with initdb/pg_ctl, as the postgres user when run as root),
# redis-server (the Redis backplane) and nginx with its stream module (deploy/local-cluster.sh's balancer).
# python3-yaml reads deploy/compose.yaml in ComposeFileTests (no Docker engine in CI).
# Only the binaries are used: the services the packages would start are not needed, so none is enabled here.
set -euo pipefail
need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
command -v redis-server >/dev/null || need+=(redis-server)
command -v nginx >/dev/null || need+=(nginx-light)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || [ "$(nginx -V 2>&1 | grep -c -- '--with-stream' || true)" -gt 0 ] 2>/dev/null || need+=(libnginx-mod-stream)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d 101: install without starting the packaged services (they would take the default ports).
  policy=/usr/sbin/policy-rc.d
  created=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1; fi
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ "$created" -eq 1 ] && rm -f "$policy"
fi
/usr/lib/postgresql/15/bin/initdb --version
redis-server --version
nginx -v 2>&1
echo "cluster packages: ok"
