-- A worker's request to a host may start: ARGV = worker, host, delay in
-- ms, the cap of requests in flight to a host (0 = none). Returns -1
-- when the host has as many requests in flight as it may (ask again
-- later), else how many ms to wait before the request starts (its slot
-- is taken).
local w, host, delay, cap = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local hk = P .. 'host:' .. host
local h = redis.call('HMGET', hk, 'n', 'lim', 'next')
local n, lim, nxt = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
if lim > 0 and (cap == 0 or lim < cap) then
  cap = lim
end
if cap > 0 and n >= cap then
  return -1
end
local now = now_ms()
local at = math.max(now, nxt)
redis.call('HINCRBY', hk, 'n', 1)
redis.call('HINCRBY', P .. 'busy:' .. w, host, 1)
if delay > 0 or nxt > now then
  redis.call('HSET', hk, 'next', at + delay)
end
if n == 0 and not h[1] then
  redis.call('SADD', P .. 'hosts', host)
end
return at - now
