-- M holds the meta hash's numbers while a script runs; save writes back
-- those it changed.
local M = {}
local changed = {}
do
  local all = redis.call('HGETALL', META)
  for i = 1, #all, 2 do
    M[all[i]] = tonumber(all[i + 1]) or all[i + 1]
  end
end
local function set(k, v)
  M[k] = v
  changed[k] = true
end
local function incr(k, n)
  set(k, (M[k] or 0) + n)
end
local function save()
  local args = {}
  for k in pairs(changed) do
    local v = M[k]
    if type(v) == 'number' then
      v = string.format('%d', v) -- never 1e+14
    end
    args[#args + 1] = k
    args[#args + 1] = v
  end
  if #args > 0 then
    redis.call('HSET', META, unpack(args))
  end
end

-- seenkey returns the bucket and the field of s in the seen set.
local function seenkey(s)
  local h = redis.sha1hex(s)
  local b = tonumber(string.sub(h, 1, 5), 16) % (2 ^ M.bits)
  return P .. 'seen:' .. b, struct.pack('>I4>I4', tonumber(string.sub(h, 6, 13), 16), tonumber(string.sub(h, 14, 21), 16))
end

-- A task in a list or a lease: kind|depth|rank|hop|from|asset|url.
local function enc(t)
  return t.kind .. '|' .. t.depth .. '|' .. t.rank .. '|' .. t.hop .. '|' .. t.from .. '|' .. t.asset .. '|' .. t.url
end
local function dec(e)
  local kind, depth, rank, hop, from, asset, url = string.match(e, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d)|(.*)$')
  return {kind = tonumber(kind), depth = tonumber(depth), rank = tonumber(rank), hop = tonumber(hop),
    from = tonumber(from), asset = tonumber(asset), url = url}
end

-- A task to add: ten arguments from ARGV[i]: kind, url, depth, rank,
-- hop, from, asset, the rank and the place of where it was found,
-- unfollowed.
local function arg_task(i)
  return {kind = tonumber(ARGV[i]), url = ARGV[i + 1], depth = tonumber(ARGV[i + 2]), rank = tonumber(ARGV[i + 3]),
    hop = tonumber(ARGV[i + 4]), from = tonumber(ARGV[i + 5]), asset = tonumber(ARGV[i + 6]),
    frank = tonumber(ARGV[i + 7]), fplace = tonumber(ARGV[i + 8]), unf = tonumber(ARGV[i + 9])}
end

-- add schedules task t as crawler.Frontier's Add does: 0 not
-- scheduled, 1 scheduled before, 2 added.
local function add(t)
  if M.stopped ~= '' then
    return 0
  end
  if t.kind ~= 0 then
    local name = 'robots '
    if t.kind == 1 then
      name = 'sitemap '
    end
    local k, f = seenkey(name .. t.url)
    if redis.call('HSETNX', k, f, QUEUED) == 0 then
      return 1
    end
    redis.call('RPUSH', P .. 'q', enc(t))
    return 2
  end
  local k, f = seenkey(t.url)
  local v = redis.call('HGET', k, f)
  if not v then
    if t.unf == 1 then
      return 0
    end
  else
    v = tonumber(v)
    if v < 0 then
      return 1
    end
    local L = math.floor(v / TWO33)
    if L == M.level then
      return 1 -- an entry URL of this level: queued
    end
    local low = v % TWO33
    local place, asset = math.floor(low / 2), low % 2
    local zkey = P .. 'lvl:' .. L
    local member = struct.pack('>I4', place) .. t.url
    if t.unf == 1 or t.hop == 0 then
      -- Scheduled for the next level: found first where?
      local score = tonumber(redis.call('ZSCORE', zkey, member))
      if t.frank < score or (t.frank == score and t.fplace < place) then
        redis.call('ZREM', zkey, member)
        redis.call('ZADD', zkey, t.frank, struct.pack('>I4', t.fplace) .. t.url)
        place = t.fplace
      end
      if t.asset == 0 then
        asset = 0
      end
      redis.call('HSET', k, f, L * TWO33 + place * 2 + asset)
      return 1
    end
    -- A hop takes it into this level: the chain is followed hop by hop.
    redis.call('ZREM', zkey, member)
  end
  if t.hop > 0 then
    redis.call('HSET', k, f, QUEUED)
    redis.call('RPUSH', P .. 'hops', enc(t))
  elseif t.depth > M.level then
    local L = M.level + 1
    redis.call('HSET', k, f, L * TWO33 + t.fplace * 2 + t.asset)
    redis.call('ZADD', P .. 'lvl:' .. L, t.frank, struct.pack('>I4', t.fplace) .. t.url)
  else
    redis.call('HSET', k, f, QUEUED)
    redis.call('RPUSH', P .. 'q', enc(t))
  end
  return 2
end

-- expire_all gives every key of the crawl a time to live: it is over.
local function expire_all(ttl)
  for _, k in ipairs({'meta', 'settings', 'spec', 'hops', 'q', 'retry', 'records', 'workers', 'hosts'}) do
    redis.call('PEXPIRE', P .. k, ttl)
  end
  for b = 0, 2 ^ M.bits - 1 do
    redis.call('PEXPIRE', P .. 'seen:' .. b, ttl)
  end
  for _, h in ipairs(redis.call('SMEMBERS', P .. 'hosts')) do
    redis.call('PEXPIRE', P .. 'host:' .. h, ttl)
  end
  for _, w in ipairs(redis.call('ZRANGE', P .. 'workers', 0, -1)) do
    redis.call('PEXPIRE', P .. 'lease:' .. w, ttl)
    redis.call('PEXPIRE', P .. 'busy:' .. w, ttl)
  end
  redis.call('PEXPIRE', P .. 'lvl:' .. M.level, ttl)
  redis.call('PEXPIRE', P .. 'lvl:' .. (M.level + 1), ttl)
end
