-- A host answered 429 or 503: ARGV = host, the pause in ms. From now on
-- it gets half the requests in flight it had (at least one), across the
-- cluster, and none starts during the pause.
local hk = P .. 'host:' .. ARGV[1]
local h = redis.call('HMGET', hk, 'n', 'lim', 'next')
local n, lim, nxt = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
local base = lim
if base == 0 then
  base = math.max(n, 1)
end
local until_ = now_ms() + tonumber(ARGV[2])
redis.call('HSET', hk, 'lim', math.max(1, math.floor(base / 2)), 'next', math.max(nxt, until_))
redis.call('SADD', P .. 'hosts', ARGV[1])
return 1
