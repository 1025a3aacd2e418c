#!/usr/bin/env bash
# Lints the Dockerfile with dockerfilelint (pinned in tools/lint/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/../../tools/lint"
[ -d node_modules/dockerfilelint ] || npm ci --no-audit --no-fund --loglevel=error
npx --no-install dockerfilelint ../../Dockerfile
echo "dockerfilelint: ok"
