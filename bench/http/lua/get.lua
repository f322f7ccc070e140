-- GET one key per request: hits (pre=/v1/kv/key:) or misses (pre=/v1/kv/miss:), uniform or Zipf.
-- args: pre=<path before the index> suf=<after it> keys=<n> dist=uniform|zipf
local c = require "common"
local pre, suf, pick, tail

function init(args)
  local a = c.args(args)
  pre, suf, pick, tail = a.pre, a.suf or "", c.picker(a), c.tail()
end

function request()
  return "GET " .. pre .. pick() .. suf .. tail
end

setup, done = c.setup, c.done
