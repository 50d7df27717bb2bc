-- wrk script for bench/pxe-callback-bench.sh: POST /pxe/v1/devices/SERIAL/steps/memory as the validation image
-- does, each request from the next device of a list, with that device's own credential (the path's serial must
-- be the credential's device, else 403).
--
--   wrk -t2 -c16 -d30s --latency -s bench/pxe-step.lua http://127.0.0.1:PORT -- DEVICES MODE [PREFIX]
--
-- DEVICES  a file, one device a line: "SERIAL CREDENTIAL".
-- MODE     unique: every request carries a new runId (PREFIX-<thread>-<n>): a new event each, stored durably.
--          duplicate: every request of a device carries the same runId (PREFIX): after the first, the bus
--          answers "already stored" — the same request, authenticated and validated, without a new event.
--          openapi: GET /pxe/v1/openapi.json instead (no body, no credential): the HTTP and Camel floor.
-- The request is built in Lua in every mode, so each costs wrk the same.
--
-- After wrk's report it prints the line testbed/loadgen/post-json.lua prints (latencies in ms):
--   bm-wrk: requests=N duration_s=S rps=R p50_ms=… p90_ms=… p99_ms=… max_ms=… non2xx3xx=N err_connect=N …

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, mode, prefix = args[1], args[2], args[3] or "wrk"
  if not file or (mode ~= "unique" and mode ~= "duplicate" and mode ~= "openapi") then
    error("pxe-step.lua: give DEVICES and MODE (unique, duplicate or openapi) after --")
  end
  local devices = {}
  for line in assert(io.open(file, "r")):lines() do
    local serial, credential = line:match("^(%S+)%s+(%S+)$")
    if serial then
      table.insert(devices, { path = "/pxe/v1/devices/" .. serial .. "/steps/memory",
                              auth = "Bearer " .. credential })
    end
  end
  if #devices == 0 then error("pxe-step.lua: no devices in " .. file) end

  -- Fixed times: the body differs between requests only in its runId.
  local body = '{"runId":"%s","status":"pass","startedAt":"2026-12-06T10:00:00Z",' ..
      '"endedAt":"2026-12-06T10:00:05Z","tool":{"name":"memtester","version":"4.6.0"},' ..
      '"memory":{"testedMiB":16,"passes":1,"errors":0}}'
  local headers = { ["Content-Type"] = "application/json" }
  local n = 0
  if mode == "openapi" then
    request = function() return wrk.format("GET", "/pxe/v1/openapi.json") end
    return
  end
  request = function()
    local d = devices[(thread_id - 1 + n) % #devices + 1]
    n = n + 1
    headers["Authorization"] = d.auth
    local run = mode == "unique" and string.format("%s-%d-%d", prefix, thread_id, n) or prefix
    return wrk.format("POST", d.path, headers, string.format(body, run))
  end
end

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
