-- A worker's request to a host is over: ARGV = worker, host. A worker
-- taken for dead had its requests in flight taken off the host's count
-- (see lease.lua) and goes on under a new id: one of those ends here,
-- below its new id's count, and changes nothing.
local hk = P .. 'host:' .. ARGV[2]
if redis.call('HINCRBY', P .. 'busy:' .. ARGV[1], ARGV[2], -1) >= 0 then
  redis.call('HINCRBY', hk, 'n', -1)
else
  redis.call('HINCRBY', P .. 'busy:' .. ARGV[1], ARGV[2], 1)
end
return 1
