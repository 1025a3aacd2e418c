-- wrk script: one MCP JSON-RPC request, repeated. Body and headers come from the environment (bench/mcp/run.sh):
-- MCP_BODY, MCP_VERSION (MCP-Protocol-Version), MCP_SESSION (Mcp-Session-Id), MCP_METHOD / MCP_NAME (2026-07-28 headers).
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = os.getenv("MCP_VERSION") or "2025-11-25"
for header, variable in pairs({ ["Mcp-Session-Id"] = "MCP_SESSION", ["Mcp-Method"] = "MCP_METHOD", ["Mcp-Name"] = "MCP_NAME" }) do
  local value = os.getenv(variable)
  if value and value ~= "" then wrk.headers[header] = value end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
