-- Commit a leased task: ARGV = worker, token, the record (or '' for
-- none), then the tasks it leads to (see arg_task), the next hop of a
-- chain first. All or nothing: a lease that was taken back (the worker
-- was taken for dead) commits nothing, and returns 0; else 1.
local w, token, record = ARGV[1], ARGV[2], ARGV[3]
local e = redis.call('HGET', P .. 'lease:' .. w, token)
if not e then
  incr('stale', 1)
  save()
  return 0
end
redis.call('HDEL', P .. 'lease:' .. w, token)
local t = dec(e)
local chained = false
for i = 4, #ARGV, 10 do
  local n = arg_task(i)
  local r = add(n)
  if i == 4 and n.hop > 0 and r == 2 then
    chained = true
  end
end
if record ~= '' then
  redis.call('XADD', P .. 'records', '*', 'r', record)
end
incr('active', -1)
incr('committed', 1)
if t.kind == 0 and not chained then
  -- The chain ends: it took this URL and those before it.
  incr('open', -1)
  incr('ospent', -(t.hop + 1))
end
save()
return 1
