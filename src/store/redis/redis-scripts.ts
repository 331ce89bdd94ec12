/**
 * The Lua scripts of the Redis store. Each runs atomically in Redis, so leases are debited across
 * every budget of a request all-or-nothing, and a record's usage is applied exactly once.
 *
 * Keys (`ns` is the namespace):
 * - `ns:b:<budget>` hash — `lt`/`ln` limit tokens / nano-USD (-1: none), `tt`/`tn` taken by leases,
 *   `ut`/`un` used by records. Invariant: `tt ≤ lt` except for usage recorded beyond a lease.
 * - `ns:l:<budget>:<process>` hash — one process's lease: `b` its budget key, `gt`/`gn` granted,
 *   `ut`/`un` used by that process's records.
 * - `ns:leases` sorted set of lease keys by expiry (ms, Redis time); renewed by heartbeats.
 * - `ns:records` hash record id → JSON: idempotent by id (HSETNX).
 */

/** Shared helpers: integer formatting (Lua numbers are doubles), Redis time, reclaiming expired leases. */
const PRELUDE = `
local function num(x) return tonumber(x) or 0 end
local function s(x)
  if x == 0 then return '0' end
  return string.format('%.0f', x)
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function sweep(z, now)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now, 'LIMIT', 0, 64)
  for _, lk in ipairs(expired) do
    local l = redis.call('HMGET', lk, 'b', 'gt', 'gn', 'ut', 'un')
    if l[1] and redis.call('EXISTS', l[1]) == 1 then
      local backT = num(l[2]) - num(l[4])
      local backN = num(l[3]) - num(l[5])
      if backT > 0 then redis.call('HINCRBY', l[1], 'tt', s(-backT)) end
      if backN > 0 then redis.call('HINCRBY', l[1], 'tn', s(-backN)) end
    end
    redis.call('DEL', lk)
    redis.call('ZREM', z, lk)
  end
end
`;

/**
 * Takes leases on several budgets at once, all-or-nothing.
 * KEYS: leases zset, then (budget, lease) pairs. ARGV: ttlMs, count, then per budget
 * limitT, limitN, wantT, wantN, minT, minN, expireAt (ms, 0 none), setLimit (1: HSET, 0: HSETNX).
 * Reply: ok (1/0), then per budget grantT, grantN, usedT, usedN, mineT, mineN.
 */
export const ACQUIRE = `${PRELUDE}
local now = nowMs()
sweep(KEYS[1], now)
local ttl = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local grants = {}
local ok = 1
for i = 1, n do
  local a = 2 + (i - 1) * 8
  local bk = KEYS[2 * i]
  local limT, limN = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local setLimit = ARGV[a + 8]
  if setLimit == '1' then
    redis.call('HSET', bk, 'lt', ARGV[a + 1], 'ln', ARGV[a + 2])
  else
    redis.call('HSETNX', bk, 'lt', ARGV[a + 1])
    redis.call('HSETNX', bk, 'ln', ARGV[a + 2])
  end
  local b = redis.call('HMGET', bk, 'lt', 'ln', 'tt', 'tn')
  limT, limN = num(b[1]), num(b[2])
  local wantT, wantN = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local gT, gN = wantT, wantN
  if limT >= 0 then gT = math.min(wantT, math.max(0, limT - num(b[3]))) end
  if limN >= 0 then gN = math.min(wantN, math.max(0, limN - num(b[4]))) end
  if gT < tonumber(ARGV[a + 5]) or gN < tonumber(ARGV[a + 6]) then ok = 0 end
  grants[i] = { gT, gN }
end
local reply = { ok }
for i = 1, n do
  local a = 2 + (i - 1) * 8
  local bk, lk = KEYS[2 * i], KEYS[2 * i + 1]
  local gT, gN = 0, 0
  if ok == 1 then
    gT, gN = grants[i][1], grants[i][2]
    redis.call('HINCRBY', bk, 'tt', s(gT))
    redis.call('HINCRBY', bk, 'tn', s(gN))
    redis.call('HINCRBY', lk, 'gt', s(gT))
    redis.call('HINCRBY', lk, 'gn', s(gN))
    redis.call('HSET', lk, 'b', bk)
    redis.call('ZADD', KEYS[1], now + ttl, lk)
    local exp = tonumber(ARGV[a + 7])
    if exp > 0 then
      redis.call('PEXPIREAT', bk, exp)
      redis.call('PEXPIREAT', lk, exp)
    end
  end
  local b = redis.call('HMGET', bk, 'ut', 'un')
  local l = redis.call('HMGET', lk, 'ut', 'un')
  for _, v in ipairs({ gT, gN, num(b[1]), num(b[2]), num(l[1]), num(l[2]) }) do
    reply[#reply + 1] = s(v)
  end
end
return reply
`;

/**
 * Renews leases (heartbeat) and reports each budget's usage.
 * KEYS: leases zset, then (budget, lease) pairs. ARGV: ttlMs.
 * Reply per pair: alive (1/0), usedT, usedN, mineT, mineN.
 */
export const RENEW = `${PRELUDE}
local now = nowMs()
sweep(KEYS[1], now)
local reply = {}
for i = 2, #KEYS, 2 do
  local bk, lk = KEYS[i], KEYS[i + 1]
  local alive = redis.call('EXISTS', lk)
  if alive == 1 then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), lk) end
  local b = redis.call('HMGET', bk, 'ut', 'un')
  local l = redis.call('HMGET', lk, 'ut', 'un')
  for _, v in ipairs({ alive, num(b[1]), num(b[2]), num(l[1]), num(l[2]) }) do
    reply[#reply + 1] = s(v)
  end
end
return reply
`;

/**
 * Gives back unused lease (never more than granted − used). With drop = 1, all of it, and the
 * lease is deleted. Tells every process that the budget has room again.
 * KEYS: leases zset, budget, lease. ARGV: tokens, nano, drop, channel, process id.
 * Reply: tokens, nano given back.
 */
export const GIVE_BACK = `${PRELUDE}
local l = redis.call('HMGET', KEYS[3], 'gt', 'gn', 'ut', 'un')
local freeT = math.max(0, num(l[1]) - num(l[3]))
local freeN = math.max(0, num(l[2]) - num(l[4]))
local drop = ARGV[3] == '1'
local rT, rN = freeT, freeN
if not drop then
  rT = math.min(freeT, tonumber(ARGV[1]))
  rN = math.min(freeN, tonumber(ARGV[2]))
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'tt', s(-rT))
  redis.call('HINCRBY', KEYS[2], 'tn', s(-rN))
end
if drop then
  redis.call('DEL', KEYS[3])
  redis.call('ZREM', KEYS[1], KEYS[3])
elseif redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HINCRBY', KEYS[3], 'gt', s(-rT))
  redis.call('HINCRBY', KEYS[3], 'gn', s(-rN))
end
if rT > 0 or rN > 0 then
  redis.call('PUBLISH', ARGV[4], cjson.encode({ p = ARGV[5], f = KEYS[2] }))
end
return { s(rT), s(rN) }
`;

/**
 * Stores a batch of records, each once (HSETNX by id), and applies the new records' usage to their
 * budgets and to this process's leases, summed per budget (one update per budget per batch: a
 * `redis.call` costs about a microsecond). Usage beyond a lease (or without one) is taken as
 * well, so `taken` always covers `used`. Publishes the touched budgets' totals to every process.
 * KEYS: records hash, then (budget, lease) pairs. ARGV: channel, process id, budget count, then per
 * budget its expiry (ms, 0 none), then record count, then per record id, json, tokens, nano,
 * budget count, budget indexes (1-based).
 * Reply: new records stored, then per budget usedT, usedN, mineT, mineN.
 */
export const RECORD = `${PRELUDE}
local nb = tonumber(ARGV[3])
local i = 4 + nb
local nr = tonumber(ARGV[i])
i = i + 1
local stored = 0
local sumT, sumN = {}, {}
for p = 1, nb do sumT[p] = 0; sumN[p] = 0 end
for _ = 1, nr do
  local k = tonumber(ARGV[i + 4])
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    stored = stored + 1
    local tokens, nano = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
    for j = 1, k do
      local p = tonumber(ARGV[i + 4 + j])
      sumT[p] = sumT[p] + tokens
      sumN[p] = sumN[p] + nano
    end
  end
  i = i + 5 + k
end
local reply = { s(stored) }
local totals = {}
for p = 1, nb do
  local bk, lk = KEYS[2 * p], KEYS[2 * p + 1]
  local tokens, nano = sumT[p], sumN[p]
  if tokens > 0 or nano > 0 then
    redis.call('HINCRBY', bk, 'ut', s(tokens))
    redis.call('HINCRBY', bk, 'un', s(nano))
    local l = redis.call('HMGET', lk, 'gt', 'gn', 'ut', 'un')
    local overT, overN = tokens, nano
    if l[1] then
      local gt, gn, ut, un = num(l[1]), num(l[2]), num(l[3]), num(l[4])
      overT = math.max(0, ut + tokens - math.max(ut, gt))
      overN = math.max(0, un + nano - math.max(un, gn))
      redis.call('HINCRBY', lk, 'ut', s(tokens))
      redis.call('HINCRBY', lk, 'un', s(nano))
    end
    if overT > 0 then redis.call('HINCRBY', bk, 'tt', s(overT)) end
    if overN > 0 then redis.call('HINCRBY', bk, 'tn', s(overN)) end
    local exp = tonumber(ARGV[3 + p])
    if exp > 0 then redis.call('PEXPIREAT', bk, exp) end
  end
  local b = redis.call('HMGET', bk, 'ut', 'un')
  local l = redis.call('HMGET', lk, 'ut', 'un')
  for _, v in ipairs({ num(b[1]), num(b[2]), num(l[1]), num(l[2]) }) do
    reply[#reply + 1] = s(v)
  end
  totals[#totals + 1] = { bk, s(num(b[1])), s(num(b[2])) }
end
if nb > 0 then redis.call('PUBLISH', ARGV[1], cjson.encode({ p = ARGV[2], b = totals })) end
return reply
`;

/**
 * Adds tokens to a budget's limit (a replenished shared pool) and tells every process.
 * KEYS: budget. ARGV: tokens, channel, process id.
 */
export const RAISE = `
if redis.call('HEXISTS', KEYS[1], 'lt') == 0 then return -1 end
local lt = redis.call('HINCRBY', KEYS[1], 'lt', ARGV[1])
redis.call('PUBLISH', ARGV[2], cjson.encode({ p = ARGV[3], f = KEYS[1] }))
return lt
`;
