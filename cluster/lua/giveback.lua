-- Give a leased task back, unfetched: its worker stops. ARGV = worker,
-- token. Once the crawl is over, nothing is written: its keys expire.
if M.stopped ~= '' or M.done == 1 then
  return 1
end
local e = redis.call('HGET', P .. 'lease:' .. ARGV[1], ARGV[2])
if e then
  redis.call('HDEL', P .. 'lease:' .. ARGV[1], ARGV[2])
  redis.call('RPUSH', P .. 'retry', e)
end
return 1
