-- A worker's request to a host may start: ARGV = worker, host, delay in
-- ms, the cap of requests in flight to a host (0 = none), the request's
-- id (release.lua ends it). Returns -1 when the host has as many
-- requests in flight as it may (ask again later), -2 when the worker was
-- taken for dead (it must register again: a slot taken under a dead
-- worker's id would never be given back), else how many ms to wait
-- before the request starts (its slot is taken).
local w, host, delay, cap, rid = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if not redis.call('ZSCORE', P .. 'workers', w) then
  return -2
end
local now = now_ms()
-- The worker's requests in flight: their ids, each with when it starts
-- and its host. The same request again (its answer was lost on the way,
-- and the client sent it again) has its slot already: it must not take
-- another.
local bk = P .. 'busy:' .. w
local v = redis.call('HGET', bk, rid)
if v then
  return math.max(tonumber(string.match(v, '^%d+')) - now, 0)
end
local hk = P .. 'host:' .. host
local h = redis.call('HMGET', hk, 'n', 'lim', 'next')
local n, lim, nxt = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
if lim > 0 and (cap == 0 or lim < cap) then
  cap = lim
end
if cap > 0 and n >= cap then
  return -1
end
local at = math.max(now, nxt)
redis.call('HINCRBY', hk, 'n', 1)
redis.call('HSET', bk, rid, string.format('%d', at) .. '|' .. host)
if delay > 0 or nxt > now then
  redis.call('HSET', hk, 'next', at + delay)
end
if n == 0 and not h[1] then
  redis.call('SADD', P .. 'hosts', host)
end
return at - now
