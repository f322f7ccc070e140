-- PUT a value of size bytes to a key chosen over the whole key set (overwrites, as in steady state).
-- args: pre=<path before the index> suf=<after it> keys=<n> dist=uniform|zipf size=<bytes>
local c = require "common"
local pre, suf, pick, tail

function init(args)
  local a = c.args(args)
  pre, suf, pick = a.pre, a.suf or "", c.picker(a)
  local size = tonumber(a.size)
  tail = c.tail("Content-Type: application/octet-stream\r\nContent-Length: " .. size .. "\r\n") .. c.body(size)
end

function request()
  return "PUT " .. pre .. pick() .. suf .. tail
end

setup, done = c.setup, c.done
