-- A worker's request is over: ARGV = worker, the id of the request
-- acquire.lua let start. Its host gets its slot back, once: the same
-- release sent again changes nothing. A worker taken for dead had its
-- requests in flight taken off their hosts' counts (see lease.lua) and
-- goes on under a new id, which holds none of them: their ends change
-- nothing.
local bk = P .. 'busy:' .. ARGV[1]
local v = redis.call('HGET', bk, ARGV[2])
if v then
  redis.call('HDEL', bk, ARGV[2])
  redis.call('HINCRBY', P .. 'host:' .. string.match(v, '|(.*)$'), 'n', -1)
end
return 1
