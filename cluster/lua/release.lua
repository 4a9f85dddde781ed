-- A worker's request to a host is over: ARGV = worker, host.
local hk = P .. 'host:' .. ARGV[2]
if redis.call('HINCRBY', P .. 'busy:' .. ARGV[1], ARGV[2], -1) >= 0 then
  redis.call('HINCRBY', hk, 'n', -1)
end
return 1
