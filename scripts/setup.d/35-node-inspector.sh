#!/usr/bin/env bash
# The MCP Inspector CLI, in its own folder so its dependencies stay apart from the conformance suite's; the tests run
# `tools/list --strict` with it (tool-schema portability). Pinned in tools/node/inspector/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../../tools/node/inspector"
if [ ! -f node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js ]; then
  npm ci --no-audit --no-fund --loglevel=error --engine-strict=false
fi
echo "MCP Inspector: $(node -p "require('./node_modules/@modelcontextprotocol/inspector/package.json').version")"
