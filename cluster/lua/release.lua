-- A worker's request to a host is over: ARGV = worker, host. A worker
-- taken for dead had its requests in flight taken off the host's count
-- (see lease.lua) and goes on under a new id: one of those ends here,
-- below its new id's count, and changes nothing. A count that reaches
-- zero is removed: the busy hash holds the requests in flight.
local bk = P .. 'busy:' .. ARGV[1]
local n = redis.call('HINCRBY', bk, ARGV[2], -1)
if n >= 0 then
  redis.call('HINCRBY', P .. 'host:' .. ARGV[2], 'n', -1)
end
if n <= 0 then
  redis.call('HDEL', bk, ARGV[2])
end
return 1
