-- A read-mostly mix: each request is a PUT with probability put (0.1), else a GET; same key choice.
-- args: getpre= getsuf= putpre= putsuf= keys=<n> dist=uniform|zipf size=<bytes> put=<0..1>
local c = require "common"
local getpre, getsuf, putpre, putsuf, pick, gettail, puttail, ratio

function init(args)
  local a = c.args(args)
  getpre, getsuf, putpre, putsuf = a.getpre, a.getsuf or "", a.putpre, a.putsuf or ""
  pick, ratio = c.picker(a), tonumber(a.put)
  local size = tonumber(a.size)
  gettail = c.tail()
  puttail = c.tail("Content-Type: application/octet-stream\r\nContent-Length: " .. size .. "\r\n") .. c.body(size)
end

function request()
  if math.random() < ratio then return "PUT " .. putpre .. pick() .. putsuf .. puttail end
  return "GET " .. getpre .. pick() .. getsuf .. gettail
end

setup, done = c.setup, c.done
