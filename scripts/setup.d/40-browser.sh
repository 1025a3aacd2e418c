#!/usr/bin/env bash
# The browser test (McpApi.Tests BrowserConsoleTests): Debian's headless Chromium and playwright-core
# (pinned in tests/browser/package-lock.json). Idempotent and quiet; works with CI=true and no stdin.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
fi
cd "$(dirname "$0")/../../tests/browser"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error
echo "browser: ok ($(/usr/bin/chromium --version 2>/dev/null | head -n 1))"
