-- n gets in one request: POST /v1/batch {"ops":[{"op":"get","key":...}]} (mode=json),
-- or webdis's GET /MGET/k1/k2/... (mode=mget).
-- args: mode=json|mget path=<batch path or MGET prefix> kp=<key prefix> n=<gets> keys=<n> dist=uniform|zipf
local c = require "common"
local mode, path, kp, n, pick, tail, jsonhead

function init(args)
  local a = c.args(args)
  mode, path, kp, n, pick = a.mode, a.path, a.kp, tonumber(a.n), c.picker(a)
  tail = c.tail()
  -- Everything up to the Content-Length value, which depends on the body.
  jsonhead = " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\nContent-Type: application/json\r\nContent-Length: "
end

function request()
  local parts = {}
  if mode == "mget" then
    for i = 1, n do parts[i] = kp .. pick() end
    return "GET " .. path .. table.concat(parts, "/") .. tail
  end
  for i = 1, n do parts[i] = '{"op":"get","key":"' .. kp .. pick() .. '"}' end
  local body = '{"ops":[' .. table.concat(parts, ",") .. ']}'
  return "POST " .. path .. jsonhead .. #body .. "\r\n\r\n" .. body
end

setup, done = c.setup, c.done
