-- wrk script: POST the seed's chat envelope to /mcp with JSON content type.
wrk.method = "POST"
wrk.body = '{"model":"echo","context":"user","data":"Hello, world!"}'
wrk.headers["Content-Type"] = "application/json"

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
