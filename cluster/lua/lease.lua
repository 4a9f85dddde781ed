-- Lease tasks to a worker: ARGV = worker, how many at most, the most
-- records the stream may hold. Returns {'tasks', token, task, ...},
-- {'wait'} (none is due now), {'end'} (the crawl is over or stopped) or
-- {'lost'} (the worker was taken for dead: it must register again).
local w, want, cap = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()

-- Workers whose heartbeat stopped lose their leases: their tasks are
-- handed out again, first.
if M.reapat <= now then
  set('reapat', now + 250)
  for _, dead in ipairs(redis.call('ZRANGEBYSCORE', P .. 'workers', '-inf', now)) do
    for _, e in ipairs(redis.call('HVALS', P .. 'lease:' .. dead)) do
      redis.call('RPUSH', P .. 'retry', e)
      incr('reclaimed', 1)
    end
    local busy = redis.call('HGETALL', P .. 'busy:' .. dead)
    for i = 1, #busy, 2 do
      -- Not -tonumber of '0': that is -0, which Redis reads as no
      -- integer, failing the script for every worker from then on.
      local n = tonumber(busy[i + 1])
      if n > 0 then
        redis.call('HINCRBY', P .. 'host:' .. busy[i], 'n', -n)
      end
    end
    redis.call('DEL', P .. 'lease:' .. dead, P .. 'busy:' .. dead)
    redis.call('ZREM', P .. 'workers', dead)
  end
end

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

if M.stopped ~= '' or M.done == 1 then
  save()
  return {'end'}
end
if not redis.call('ZSCORE', P .. 'workers', w) then
  save()
  return {'lost'}
end
if redis.call('XLEN', P .. 'records') >= cap then
  save()
  return {'wait'} -- the coordinator lags: no more records until it reads
end

local out = {'tasks'}
local function lease(e)
  incr('token', 1)
  incr('leased', 1)
  redis.call('HSET', P .. 'lease:' .. w, M.token, e)
  out[#out + 1] = string.format('%d', M.token)
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

local drops = 0
while #out < 1 + 2 * want and drops < 10000 do
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
            -- The entry URLs --max-pages can never reach are dropped now,
            -- as the memory frontier's nextLevel drops them: a hop of
            -- this level may then schedule one again.
            local lkey = P .. 'lvl:' .. M.level
            local keep = math.max(M.limit - M.spent, 0)
            while true do
              local beyond = redis.call('ZRANGE', lkey, keep, keep + 999)
              if #beyond == 0 then
                break
              end
              for _, member in ipairs(beyond) do
                drop(string.sub(member, 5))
              end
              redis.call('ZREMRANGEBYRANK', lkey, keep, keep + #beyond - 1)
            end
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
