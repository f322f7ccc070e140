-- Shared by the scenario scripts: "name=value" arguments, per-thread seeding, key choice
-- (uniform or Zipf over the whole key set) and a one-line JSON summary from done().
local M = {}

-- Arguments after wrk's "--" arrive as a list of "name=value" strings.
function M.args(list)
  local t = {}
  for _, a in ipairs(list) do
    local k, v = a:match("^([^=]+)=(.*)$")
    if k then t[k] = v end
  end
  return t
end

-- setup() runs in the main Lua state once per thread: give each thread its own id (and seed).
local threads = 0
function M.setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

-- Zipf(theta) over n ranks in O(1) per draw (Gray et al., "Quickly generating billion-record
-- synthetic databases", as in YCSB's ZipfianGenerator): a binary search over 100k weights per request
-- would cost the client CPU that the server under test needs on a small machine. Ranks are scattered
-- over the key set by a multiplicative bijection so the hot keys are not the first ones loaded.
local function zipf(n, theta)
  local zetan = 0
  for i = 1, n do zetan = zetan + 1 / (i ^ theta) end
  local zeta2 = 1 + 1 / (2 ^ theta)
  local alpha = 1 / (1 - theta)
  local eta = (1 - (2 / n) ^ (1 - theta)) / (1 - zeta2 / zetan)
  local half = 1 + 0.5 ^ theta
  local stride = 7919
  if n % stride == 0 then stride = 7907 end
  return function()
    local u = math.random()
    local uz = u * zetan
    local rank
    if uz < 1 then
      rank = 0
    elseif uz < half then
      rank = 1
    else
      rank = math.floor(n * (eta * u - eta + 1) ^ alpha)
      if rank >= n then rank = n - 1 end
    end
    return (rank * stride) % n
  end
end

-- A function returning a key index in [0, keys) by args.dist ("uniform" or "zipf", theta args.theta).
function M.picker(a)
  math.randomseed(1000003 * (id or 1) + os.time())
  local n = tonumber(a.keys)
  if a.dist == "zipf" then return zipf(n, tonumber(a.theta or "0.99")) end
  return function() return math.random(0, n - 1) end
end

-- The request line's tail and headers, built once: requests are concatenated, not formatted.
function M.tail(extra)
  return " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\n" .. (extra or "") .. "\r\n"
end

-- A body of exactly `size` bytes (its content does not matter to any of the servers).
function M.body(size)
  return string.rep("x", size)
end

-- One JSON line the TypeScript side parses (latencies in microseconds).
function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

return M
