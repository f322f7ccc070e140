// Lua scripts that keep every single-key operation atomic in Redis, in one round trip each.
// An entry is a hash: v (value bytes), t (content type), n (version), c (created, epoch ms),
// s (stale-from, epoch ms, 0 for none); its expiry is Redis's own (PEXPIREAT).
// Versions come from Redis's clock in microseconds, and always above the key's previous version,
// so an ETag is never reused for a key, even across a delete and re-create, on any instance.

const CLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function nextVersion(current)
  local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
  if current and tonumber(current) >= v then v = tonumber(current) + 1 end
  return v
end
local function int(x) return string.format('%.0f', x) end
`

/** KEYS: key. Returns [value, type, version, createdAt, staleAt, pttl] or nil. */
export const GET = `
local h = redis.call('HMGET', KEYS[1], 'v', 't', 'n', 'c', 's')
if not h[1] then return false end
return {h[1], h[2], h[3], h[4], h[5] or '0', redis.call('PTTL', KEYS[1])}
`

/**
 * KEYS: key. ARGV: value, type, nx, xx, ifVersion, ttlMs, keepTtl, staleMs, defaultTtlMs ('' when unset, '1' for flags).
 * Returns [status (0 condition failed, 1 created, 2 replaced), version, expiresAt, staleAt].
 */
export const SET = `${CLOCK}
local key = KEYS[1]
local cur = redis.call('HMGET', key, 'n', 'c', 's')
local exists = cur[1] ~= false
if ARGV[3] == '1' and exists then return {0} end
if ARGV[4] == '1' and not exists then return {0} end
if ARGV[5] ~= '' and (not exists or cur[1] ~= ARGV[5]) then return {0} end
local version = nextVersion(cur[1])
local created = now
if exists then created = tonumber(cur[2]) end
local expiresAt = 0
local staleAt = 0
if ARGV[6] ~= '' then
  expiresAt = now + tonumber(ARGV[6])
  if ARGV[8] ~= '' then
    staleAt = expiresAt
    expiresAt = expiresAt + tonumber(ARGV[8])
  end
elseif ARGV[7] == '1' and exists then
  local pttl = redis.call('PTTL', key)
  if pttl > 0 then expiresAt = now + pttl end
  staleAt = tonumber(cur[3] or '0')
elseif ARGV[9] ~= '' then
  expiresAt = now + tonumber(ARGV[9])
end
redis.call('DEL', key)
redis.call('HSET', key, 'v', ARGV[1], 't', ARGV[2], 'n', int(version), 'c', int(created), 's', int(staleAt))
if expiresAt > 0 then redis.call('PEXPIREAT', key, expiresAt) end
local status = 2
if not exists then status = 1 end
return {status, int(version), int(expiresAt), int(staleAt)}
`

/** KEYS: key. ARGV: ifVersion or ''. Returns 1 deleted, 0 absent, -1 condition failed. */
export const DELETE = `
local cur = redis.call('HGET', KEYS[1], 'n')
if not cur then
  if ARGV[1] ~= '' then return -1 end
  return 0
end
if ARGV[1] ~= '' and cur ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
return 1
`

/**
 * KEYS: key. ARGV: by, ttlMs or '', defaultTtlMs or ''. An existing entry keeps its TTL.
 * Returns [status (-1 not an integer, -2 out of range, 1 created, 2 updated), value, version, expiresAt].
 */
export const INCR = `${CLOCK}
local key = KEYS[1]
local cur = redis.call('HMGET', key, 'v', 'n', 'c', 's')
local exists = cur[1] ~= false
local value = 0
if exists then
  if not (string.match(cur[1], '^%-?[1-9]%d*$') or cur[1] == '0') or string.len(cur[1]) > 20 then return {-1} end
  value = tonumber(cur[1])
end
local result = value + tonumber(ARGV[1])
if result > 9007199254740991 or result < -9007199254740991 then return {-2} end
local version = nextVersion(cur[2])
local created = now
local staleAt = 0
local expiresAt = 0
if exists then
  created = tonumber(cur[3])
  staleAt = tonumber(cur[4] or '0')
  local pttl = redis.call('PTTL', key)
  if pttl > 0 then expiresAt = now + pttl end
elseif ARGV[2] ~= '' then
  expiresAt = now + tonumber(ARGV[2])
elseif ARGV[3] ~= '' then
  expiresAt = now + tonumber(ARGV[3])
end
redis.call('DEL', key)
redis.call('HSET', key, 'v', int(result), 't', 'application/json', 'n', int(version), 'c', int(created), 's', int(staleAt))
if expiresAt > 0 then redis.call('PEXPIREAT', key, expiresAt) end
local status = 2
if not exists then status = 1 end
return {status, int(result), int(version), int(expiresAt)}
`

/** KEYS: key. ARGV: ttlMs or '' to remove the TTL. Ends any soft expiry. Returns GET's shape, or nil when absent. */
export const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[1] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
redis.call('HSET', KEYS[1], 's', '0')
local h = redis.call('HMGET', KEYS[1], 'v', 't', 'n', 'c', 's')
return {h[1], h[2], h[3], h[4], h[5], redis.call('PTTL', KEYS[1])}
`
