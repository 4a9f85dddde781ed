-- Create a crawl: ARGV = settings, spec (JSON), limit, bits, then the
-- start tasks (see arg_task). Returns {1} when created, {0, settings}
-- when a crawl of this id exists.
local have = redis.call('GET', P .. 'settings')
if have then
  return {0, have}
end
redis.call('SET', P .. 'settings', ARGV[1])
redis.call('SET', P .. 'spec', ARGV[2])
for _, k in ipairs({'level', 'spent', 'open', 'ospent', 'active', 'rank', 'room', 'token', 'done',
    'maxreached', 'sitemaps', 'reapat', 'leased', 'reclaimed', 'committed', 'stale', 'trips'}) do
  set(k, 0)
end
set('stopped', '')
set('limit', tonumber(ARGV[3]))
set('bits', tonumber(ARGV[4]))
for i = 5, #ARGV, 10 do
  add(arg_task(i))
end
save()
return {1}
