-- A worker is alive: ARGV = worker, lease time in ms, whether to
-- register it, the round trips it made since its last heartbeat.
-- Returns 0 when it was taken for dead (it must register again).
local now = now_ms()
incr('trips', tonumber(ARGV[4]))
save()
if ARGV[3] ~= '1' and not redis.call('ZSCORE', P .. 'workers', ARGV[1]) then
  return 0
end
redis.call('ZADD', P .. 'workers', now + tonumber(ARGV[2]), ARGV[1])
return 1
