-- The frontier of a shared crawl. KEYS[1] is the crawl's meta hash,
-- hopaudit:{ID}:meta; every other key of the crawl shares its prefix
-- (and so its hash slot). The Go side substitutes MAXHOPS and
-- MAXSITEMAPS.
--
-- The seen set: a URL's entry is in one of 2^bits hashes (buckets) of
-- small fields, so that Redis keeps them as listpacks: the field is 8
-- bytes of the SHA-1 of the URL. Its value is -2 (handed out: under way
-- or done), -1 (queued at this level: hops, q) or, for an entry URL of
-- a level L (this one or the next), L*2^33 + place*2 + asset, where
-- place is where it was first found (see crawler.Task.Found) and asset
-- whether only page resources lead to it. An entry URL of a level
-- waits in the sorted set lvl:L, scored by the rank of the page that
-- leads to it, its member the place (4 bytes, big-endian) then the
-- URL: the order of crawler.Frontier's contract.
local META = KEYS[1]
local P = string.sub(META, 1, -5)

-- ARGV[1] is the generation of the crawl the caller joined: a crawl
-- removed, or dropped and created again under its id, is gone for it.
-- A crawl that another version of the scripts made (its protocol) is
-- not theirs to read. Nothing is written then. Create passes ''.
local GEN = table.remove(ARGV, 1)
local PROTOCOL = '{{PROTOCOL}}'
if GEN ~= '' then
  local m = redis.call('HMGET', META, 'gen', 'protocol')
  if m[1] ~= GEN then
    return redis.error_reply('GONE the shared crawl is over or was dropped')
  elseif m[2] ~= PROTOCOL then
    return redis.error_reply('VERSION the shared crawl was made by another version of hopaudit')
  end
end
local TWO33 = 8589934592
local MAXHOPS = {{MAXHOPS}}
local MAXSITEMAPS = {{MAXSITEMAPS}}
local TAKEN, QUEUED = -2, -1

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
