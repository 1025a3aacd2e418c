#!/usr/bin/env bash
# Debian packages the tests use: curl and python3-requests (the Python client).
set -euo pipefail
need=()
command -v curl >/dev/null || need+=(curl)
/usr/bin/python3 -c 'import requests' 2>/dev/null || need+=(python3-requests)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" >/dev/null
fi
echo "apt: ok"
