-- wrk script: POST the seed's envelope (to the echo model) to /mcp with JSON content type.
-- No response() callback: wrk would run Lua for every answer, making the load generator a larger share of the
-- machine; answers with status >= 400 are counted by wrk itself (summary.errors.status).
wrk.method = "POST"
wrk.body = '{"model":"echo","context":"user","data":"Hello, world!"}'
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
