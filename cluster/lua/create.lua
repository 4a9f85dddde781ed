-- Create a crawl: ARGV = its generation, settings, spec (JSON), limit,
-- bits, how long in ms it may go without a coordinator, then the start
-- tasks (see arg_task). Returns {1, generation}
-- when created, {0, generation, settings, spec, protocol} when a crawl
-- of this id exists.
local have = redis.call('GET', P .. 'settings')
local m = redis.call('HMGET', META, 'gen', 'protocol')
if have and m[1] then
  return {0, m[1], have, redis.call('GET', P .. 'spec'), m[2] or ''}
end
-- Keys an earlier crawl of this id left: written by its workers' last
-- calls after it ended, they outlived the keys that expired with it, or
-- a removal was cut short. A task left in them would be leased by this
-- crawl without being counted, which would end it before its last task;
-- a meta hash left would expire with this crawl's fields in it.
for _, w in ipairs(redis.call('ZRANGE', P .. 'workers', 0, -1)) do
  redis.call('DEL', P .. 'lease:' .. w, P .. 'busy:' .. w)
end
for _, h in ipairs(redis.call('SMEMBERS', P .. 'hosts')) do
  redis.call('DEL', P .. 'host:' .. h)
end
redis.call('DEL', META, P .. 'hops', P .. 'q', P .. 'retry', P .. 'records', P .. 'workers', P .. 'hosts')
redis.call('SET', P .. 'settings', ARGV[2])
redis.call('SET', P .. 'spec', ARGV[3])
for _, k in ipairs({'level', 'spent', 'open', 'ospent', 'active', 'rank', 'trim', 'trimkeep', 'done',
    'maxreached', 'sitemaps', 'reapat', 'leased', 'reclaimed', 'committed', 'stale', 'trips', 'orphan'}) do
  set(k, 0)
end
set('stopped', '')
set('gen', ARGV[1])
set('protocol', PROTOCOL)
set('limit', tonumber(ARGV[4]))
set('bits', tonumber(ARGV[5]))
set('orphanafter', tonumber(ARGV[6]))
for i = 7, #ARGV, 10 do
  add(arg_task(i))
end
save()
return {1, ARGV[1]}
