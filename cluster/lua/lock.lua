-- The coordinator's lock: ARGV = its id, the lease in ms, and 1 to take
-- or keep it, 0 to let it go. Returns 1 when the caller holds it (or let
-- it go), 0 when another coordinator does.
local key = P .. 'coordinator'
local holder = redis.call('GET', key)
if ARGV[3] == '0' then
  if holder == ARGV[1] then
    redis.call('DEL', key)
  end
  return 1
end
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
return 1
