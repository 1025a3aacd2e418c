-- wrk script for bench/storage/run.sh: one scenario per run, POST /mcp envelopes.
-- Usage: wrk ... -s bench/storage/storage.lua http://127.0.0.1:PORT/mcp -- <scenario> <run label>
-- Every request of a write scenario has distinct content (thread id and counter); move_play plays games seeded by
-- run.sh under "<label>-<thread>-<n>", each in a draw of 9 valid moves, 1000 games in rotation per thread.
-- Prints: RESULT rps=<2xx/s> p50_ms= p99_ms= requests= errors=<non-2xx other than CAS conflicts> attempts_rps= conflicts=

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

scenario, label, n, version, ok, conflicts, failed = "echo", "run", 0, 0, 0, 0, 0
local rotation = 1000
local cells = { 0, 1, 2, 4, 3, 5, 7, 6, 8 } -- X 0,2,3,7,8 / O 1,4,5,6: nine moves, no line, a draw

function init(args)
  scenario = args[1] or "echo"
  label = args[2] or "run"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local function envelope(model, action, context, data)
  return string.format('{"model":"%s","action":"%s","context":%s,"data":%s}', model, action, context, data)
end

local bodies = {
  echo = function() return '{"model":"echo","context":"user","data":"Hello, world!"}' end,
  chat_send = function() return envelope("chat", "send", '{"user":"u","room":"bench"}', string.format('"message %s-%d-%d"', label, tid, n)) end,
  notes_add = function() return envelope("notes", "add", '"bench"', string.format('"note %s-%d-%d"', label, tid, n)) end,
  state_set = function() return envelope("state", "set", '"bench"', string.format('{"key":"k-%s-%d-%d","value":%d}', label, tid, n, n)) end,
  state_hot = function() return envelope("state", "set", '"bench"', string.format('{"key":"hot","value":%d,"ifVersion":%d}', n, version)) end,
  move_play = function()
    -- wrk builds a request before the first one it sends and drops it: the first call is a read, not a move.
    if n == 1 then return envelope("move", "get", string.format('{"game":"%s-%d-0"}', label, tid), "null") end
    local i = n - 2
    local game = i % rotation + rotation * math.floor(i / (rotation * 9))
    local move = math.floor(i / rotation) % 9
    local player = (move % 2 == 0) and "ana" or "bob"
    return envelope("move", "play", string.format('{"game":"%s-%d-%d","player":"%s"}', label, tid, game, player),
      string.format('{"cell":%d}', cells[move + 1]))
  end,
  notes_latest = function() return envelope("notes", "latest", '"bench"', "null") end,
  state_get = function() return envelope("state", "get", '"bench"', '{"key":"read"}') end,
  chat_history = function() return envelope("chat", "history", '{"room":"bench"}', '{"limit":50}') end,
}

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[scenario]())
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    if scenario == "state_hot" then
      local v = body:match('"version":(%d+)')
      if v then version = tonumber(v) end
    end
  elseif status == 409 and scenario == "state_hot" then
    conflicts = conflicts + 1
    local v = body:match('"currentVersion":(%d+)')
    if v then version = tonumber(v) end
  else
    failed = failed + 1
    if failed == 1 then io.stderr:write(string.format("first failure (%s): %d %s\n", scenario, status, body)) end
  end
end

function done(summary, latency, requests)
  local okAll, conflictsAll, failedAll = 0, 0, 0
  for _, thread in ipairs(threads) do
    okAll = okAll + thread:get("ok")
    conflictsAll = conflictsAll + thread:get("conflicts")
    failedAll = failedAll + thread:get("failed")
  end
  local seconds = summary.duration / 1e6
  local errors = failedAll + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d attempts_rps=%.0f conflicts=%d\n",
    okAll / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, errors,
    summary.requests / seconds, conflictsAll))
end
