-- wrk script: POST a JSON file, with the headers given by wrk's own -H options.
--
--   wrk -t2 -c16 -d10s --latency -H 'Authorization: Bearer TOKEN' \
--       -s testbed/loadgen/post-json.lua URL -- BODY.json [unique-key]
--
-- BODY.json     the request body, sent as is (read once per thread at start).
-- unique-key    optional: add a header `Idempotency-Key: <thread>-<n>`, different on every
--               request of the run (BM_WRK_KEY_HEADER names another header instead). This
--               builds each request in Lua, which costs some throughput; without it the
--               request is formatted once and reused.
-- BM_WRK_TOKENS_FILE=FILE  optional: one bearer token a line, sent as
--               `Authorization: Bearer <token>` instead of a -H 'Authorization: …'.
--               BM_WRK_TOKENS_PER=request (default): each request takes the next token, round
--               robin (thread k starts at line k). BM_WRK_TOKENS_PER=thread: thread k always
--               sends line k (modulo the count); wrk's Lua has no handle on connections, so for
--               one token per connection run -t equal to -c (one connection a thread).
-- Content-Type is application/json unless a -H option sets it.
--
-- At the end it prints, after wrk's own report, one line to parse:
--   bm-wrk: requests=N duration_s=S rps=R p50_ms=… p90_ms=… p99_ms=… max_ms=… non2xx3xx=N
--           err_connect=N err_read=N err_write=N err_timeout=N
-- (one line; wrapped here). Latencies are wrk's (from the send of a request to its response
-- on the same connection; no correction for coordinated omission).

local threads = {}
local next_id = 1

-- Runs in the main Lua state, once per thread, before the thread's init().
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Runs in each thread's Lua state; wrk formats the request after it returns.
function init(args)
  local path = args[1]
  if not path then
    error("post-json.lua: give the body file after --, e.g. wrk ... URL -- body.json")
  end
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  local has_type = false
  for name, _ in pairs(wrk.headers) do
    if string.lower(name) == "content-type" then has_type = true end
  end
  if not has_type then wrk.headers["Content-Type"] = "application/json" end

  local key_header
  if args[2] == "unique-key" then
    key_header = os.getenv("BM_WRK_KEY_HEADER") or "Idempotency-Key"
  elseif args[2] then
    error("post-json.lua: unknown option " .. args[2])
  end

  local tokens = {}
  local tokens_file = os.getenv("BM_WRK_TOKENS_FILE")
  if tokens_file and tokens_file ~= "" then
    for line in assert(io.open(tokens_file, "r")):lines() do
      if line ~= "" then table.insert(tokens, line) end
    end
    if #tokens == 0 then error("post-json.lua: no tokens in " .. tokens_file) end
    for name, _ in pairs(wrk.headers) do
      if string.lower(name) == "authorization" then wrk.headers[name] = nil end
    end
    local per = os.getenv("BM_WRK_TOKENS_PER") or "request"
    if per == "thread" then
      wrk.headers["Authorization"] = "Bearer " .. tokens[(thread_id - 1) % #tokens + 1]
      tokens = {}   -- fixed for this thread: nothing to vary per request
    elseif per ~= "request" then
      error("post-json.lua: BM_WRK_TOKENS_PER must be request or thread, not " .. per)
    end
  end

  if key_header or #tokens > 0 then
    local n = 0
    -- A global `request` makes wrk call it for every request (wrk then cannot pipeline).
    request = function()
      if #tokens > 0 then
        wrk.headers["Authorization"] = "Bearer " .. tokens[(thread_id - 1 + n) % #tokens + 1]
      end
      n = n + 1
      if key_header then wrk.headers[key_header] = string.format("%d-%d", thread_id, n) end
      return wrk.format()
    end
  end
end

-- Runs in the main Lua state after all threads ended.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "bm-wrk: requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f" ..
    " non2xx3xx=%d err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
