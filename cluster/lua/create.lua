-- Create a crawl: ARGV = its generation, settings, spec (JSON), limit,
-- bits, how long in ms it may go without a coordinator, then the start
-- tasks (see arg_task). Returns {1, generation}
-- when created, {0, generation, settings, spec} when a crawl of this
-- id exists.
local have = redis.call('GET', P .. 'settings')
if have then
  return {0, redis.call('HGET', META, 'gen'), have, redis.call('GET', P .. 'spec')}
end
redis.call('SET', P .. 'settings', ARGV[2])
redis.call('SET', P .. 'spec', ARGV[3])
for _, k in ipairs({'level', 'spent', 'open', 'ospent', 'active', 'rank', 'token', 'done',
    'maxreached', 'sitemaps', 'reapat', 'leased', 'reclaimed', 'committed', 'stale', 'trips', 'orphan'}) do
  set(k, 0)
end
set('stopped', '')
set('gen', ARGV[1])
set('limit', tonumber(ARGV[4]))
set('bits', tonumber(ARGV[5]))
set('orphanafter', tonumber(ARGV[6]))
for i = 7, #ARGV, 10 do
  add(arg_task(i))
end
save()
return {1, ARGV[1]}
