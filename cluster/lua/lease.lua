-- Lease a task to a worker: ARGV = worker, the request's id, the most
-- records the stream may hold. Returns {'tasks', token, task} (the
-- token is the request's id), {'wait'} (none is due now), {'end'} (the
-- crawl is over or stopped) or {'lost'} (the worker was taken for dead:
-- it must register again).
local w, rid, cap = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = now_ms()
local TRIM = 10000 -- the most URLs a lease drops for --max-pages

-- A crawl whose records no coordinator has collected for an hour
-- (orphanafter) is abandoned (its coordinator died without --state): it
-- stops, and its keys expire.
if redis.call('EXISTS', P .. 'coordinator') == 1 then
  if M.orphan ~= 0 then
    set('orphan', 0)
  end
elseif M.orphan == 0 then
  set('orphan', now)
elseif now - M.orphan >= M.orphanafter and M.stopped == '' and M.done ~= 1 then
  set('stopped', 'no coordinator collected its records for an hour')
  expire_all(86400000)
end

-- Nothing is written once the crawl is over: its keys expire.
if M.stopped ~= '' or M.done == 1 then
  save()
  return {'end'}
end

-- Workers whose heartbeat stopped lose their leases: their tasks are
-- handed out again, first.
if M.reapat <= now then
  set('reapat', now + 250)
  for _, dead in ipairs(redis.call('ZRANGEBYSCORE', P .. 'workers', '-inf', now)) do
    for _, e in ipairs(redis.call('HVALS', P .. 'lease:' .. dead)) do
      redis.call('RPUSH', P .. 'retry', e)
      incr('reclaimed', 1)
    end
    for _, v in ipairs(redis.call('HVALS', P .. 'busy:' .. dead)) do
      -- A request in flight (acquire.lua): when|host. Its host gets its
      -- slot back by -1, a literal: the count per host of an earlier
      -- version once gave -0 here, which Redis reads as no integer, and
      -- the script failed for every worker.
      local host = string.match(v, '^%d+|(.*)$')
      if host then
        redis.call('HINCRBY', P .. 'host:' .. host, 'n', -1)
      end
    end
    redis.call('DEL', P .. 'lease:' .. dead, P .. 'busy:' .. dead)
    redis.call('ZREM', P .. 'workers', dead)
  end
end

if not redis.call('ZSCORE', P .. 'workers', w) then
  save()
  return {'lost'}
end
-- The same request again: its answer was lost on the way, and the
-- client sent it again (go-redis does when a reply times out). It gets
-- the task the first one leased, not a second one: that one would be
-- leased to a live worker that never heard of it, and the crawl would
-- wait for its end for ever.
local again = redis.call('HGET', P .. 'lease:' .. w, rid)
if again then
  save()
  return {'tasks', rid, again}
end
if redis.call('XLEN', P .. 'records') >= cap then
  save()
  return {'wait'} -- the coordinator lags: no more records until it reads
end

local out = {'tasks'}
local function lease(e)
  incr('leased', 1)
  redis.call('HSET', P .. 'lease:' .. w, rid, e)
  out[#out + 1] = rid
  out[#out + 1] = e
end
local function take(url)
  local k, f = seenkey(url)
  redis.call('HSET', k, f, TAKEN)
end
-- drop forgets a URL that --max-pages keeps from being fetched.
local function drop(url)
  local k, f = seenkey(url)
  redis.call('HDEL', k, f)
  set('maxreached', 1)
end
-- room says whether an entry URL may start a chain now (see
-- crawler.MemoryFrontier's take), or wait for the chains under way.
local function room()
  if M.limit == 0 then
    return true, false
  end
  local reserved = M.open * (MAXHOPS + 1) - M.ospent
  local ok = M.spent + reserved + MAXHOPS + 1 <= M.limit or (M.open == 0 and M.spent < M.limit)
  return ok, not ok and M.open > 0
end
local function start(url)
  take(url)
  incr('spent', 1)
  incr('open', 1)
  incr('ospent', 1)
  incr('active', 1)
end

-- The entry URLs of a new level that --max-pages can never reach are
-- dropped before any is leased, as the memory frontier's nextLevel drops
-- them (a hop of this level may then schedule one again): TRIM of them
-- a lease, so that no script runs for long (a million took 4 s, longer
-- than a client waits for its reply). Nothing runs meanwhile: the level
-- began with no task under way.
if M.trim == 1 then
  local lkey = P .. 'lvl:' .. M.level
  local beyond = redis.call('ZRANGE', lkey, M.trimkeep, M.trimkeep + TRIM - 1)
  for _, member in ipairs(beyond) do
    drop(string.sub(member, 5))
  end
  if #beyond > 0 then
    redis.call('ZREMRANGEBYRANK', lkey, M.trimkeep, M.trimkeep + #beyond - 1)
  end
  if #beyond == TRIM then
    save()
    return {'wait'}
  end
  set('trim', 0)
end

local drops = 0
while #out == 1 and drops < TRIM do
  local e = redis.call('LPOP', P .. 'retry')
  if e then
    lease(e) -- counted when it was first handed out
  else
    local h = redis.call('RPOP', P .. 'hops')
    if h then
      local t = dec(h)
      if M.limit > 0 and M.spent >= M.limit then
        drop(t.url) -- cut by the limit: the chain ends unfinished
        drops = drops + 1
        incr('open', -1)
        incr('ospent', -t.hop)
      else
        take(t.url)
        incr('spent', 1)
        incr('ospent', 1)
        incr('active', 1)
        lease(h)
      end
    else
      local z = redis.call('ZRANGE', P .. 'lvl:' .. M.level, 0, 0)
      if #z > 0 then
        local member = z[1]
        local url = string.sub(member, 5)
        local ok, wait = room()
        if wait then
          break
        end
        redis.call('ZREM', P .. 'lvl:' .. M.level, member)
        if ok then
          local k, f = seenkey(url)
          local asset = tonumber(redis.call('HGET', k, f)) % 2
          start(url)
          lease(enc({kind = 0, depth = M.level, rank = M.rank, hop = 0, from = 0, asset = asset, url = url}))
        else
          drop(url)
          drops = drops + 1
        end
        incr('rank', 1)
      else
        local q = redis.call('LINDEX', P .. 'q', 0)
        if q then
          local t = dec(q)
          if t.kind ~= 0 then
            redis.call('LPOP', P .. 'q')
            -- A crawl reads so many sitemaps (see crawler's startSitemap):
            -- one it does not read needs no lease.
            if t.kind == 1 and (M.sitemaps >= MAXSITEMAPS or M.maxreached == 1 or M.limit > 0 and M.sitemaps >= M.limit) then
              t = nil
            elseif t.kind == 1 then
              incr('sitemaps', 1)
            end
            if t then
              incr('active', 1)
              lease(q)
            end
          else
            local k, f = seenkey(t.url)
            if tonumber(redis.call('HGET', k, f)) ~= QUEUED then
              redis.call('LPOP', P .. 'q') -- taken on the way as a hop
            else
              local ok, wait = room()
              if wait then
                break
              end
              redis.call('LPOP', P .. 'q')
              if ok then
                start(t.url)
                lease(q)
              else
                drop(t.url)
                drops = drops + 1
              end
            end
          end
        elseif M.active > 0 then
          break
        elseif redis.call('ZCARD', P .. 'lvl:' .. (M.level + 1)) > 0 then
          set('level', M.level + 1)
          set('rank', 0)
          if M.limit > 0 then
            -- The entry URLs --max-pages can never reach are dropped
            -- before any is leased (see trim above).
            set('trim', 1)
            set('trimkeep', math.max(M.limit - M.spent, 0))
            break
          end
        else
          set('done', 1)
          break
        end
      end
    end
  end
end
save()
if #out > 1 then
  return out
end
if M.done == 1 then
  expire_all(86400000)
  return {'end'}
end
return {'wait'}
