import { createHash } from 'node:crypto';
import { MAX_NODE_NAME_LENGTH } from '../../../../node-name.js';
import { MAX_TERM, MAX_TERM_STEP } from '../../../term-ceiling.js';

/** A Lua script, sent by SHA1 (EVALSHA) and by body only when the server does not know it yet. */
export interface LeaseScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
  readonly keys: number;
}

function script(name: string, keys: number, lua: string): LeaseScript {
  return { name, keys, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** The value parked in the leader key while nobody may acquire (see ACQUIRE). */
export const QUARANTINE = '{"quarantine":true}';

/**
 * KEYS: leader, epoch. ARGV: node name, electionPeriod ms, highest token this node has seen.
 * Returns { 1, value, pttl } when this node now holds the lease, else { 0, current value or false,
 * pttl }, so every attempt also tells a follower who leads and for how long. When the script found
 * an invalid value it appends { key, that value } so the caller can log it.
 *
 * A missing epoch means this Redis has lost its data (first start, restart without persistence,
 * eviction); a leader may still be acting on a lease kept in the lost key. The script then parks a
 * quarantine value in the leader key for one full period, so nobody acquires before that lease
 * has run out on its holder's clock. The caller's highest seen token seeds the counter again, so
 * fencing tokens keep growing across the loss, as far as any node saw them.
 *
 * DESIGN §5: values read from the store are validated and never adopted otherwise (issue #10
 * item 4; the bounds are term-ceiling.ts's, the same the caller checks). An epoch that is not an
 * integer in [0, MAX_TERM), or is more than MAX_TERM_STEP above the caller's highest token, is
 * treated as lost data: INCR would fail on it ("Infinity", "1.5", 300 digits) or issue a token
 * nobody adopts, and either would stop elections for good. A leader value that is not a holder
 * with a valid token, or has no expiry (ours always have one), is treated alike: it may have
 * overwritten a live leader's key, so it is replaced by the quarantine value for one period, after
 * which elections go on. Without this, one such value blocked every acquisition until it expired,
 * or forever.
 */
export const ACQUIRE = script(
  'acquire',
  2,
  `
local MAX = ${MAX_TERM}
local STEP = ${MAX_TERM_STEP}
local QUARANTINE = '${QUARANTINE}'
local floor = tonumber(ARGV[3])
local function quarantine(bad_key, bad_value)
  redis.call('SET', KEYS[1], QUARANTINE, 'PX', ARGV[2])
  if bad_key then return {0, QUARANTINE, tonumber(ARGV[2]), bad_key, bad_value} end
  return {0, QUARANTINE, tonumber(ARGV[2])}
end
local function is_holder(value)
  local ok, holder = pcall(cjson.decode, value)
  if not ok or type(holder) ~= 'table' then return false end
  local node, token = holder.node, holder.token
  return type(node) == 'string' and #node > 0 and #node <= ${MAX_NODE_NAME_LENGTH}
    and type(token) == 'number' and token == math.floor(token)
    and token >= 1 and token <= MAX and token <= floor + STEP
end
local current = redis.call('GET', KEYS[1])
if current then
  local pttl = redis.call('PTTL', KEYS[1])
  if current == QUARANTINE or (pttl > 0 and is_holder(current)) then
    return {0, current, pttl}
  end
  return quarantine(KEYS[1], current)
end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  redis.call('SET', KEYS[2], ARGV[3])
  return quarantine()
end
local count = #epoch <= 15 and string.match(epoch, '^%d+$') and tonumber(epoch)
if not count or count >= MAX or count >= floor + STEP then
  redis.call('SET', KEYS[2], ARGV[3])
  return quarantine(KEYS[2], epoch)
end
if floor >= MAX then
  return redis.error_reply('ERR fencing tokens exhausted: the highest token seen is ' .. ARGV[3])
end
local token = redis.call('INCR', KEYS[2])
if token <= floor then
  token = floor + 1
  redis.call('SET', KEYS[2], string.format('%d', token))
end
local value = '{"node":' .. cjson.encode(ARGV[1]) .. ',"token":' .. string.format('%d', token) .. '}'
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return {1, value, tonumber(ARGV[2])}
`,
);

/** KEYS: leader. ARGV: our value, electionPeriod ms. Extends the TTL only if the value is still ours. */
export const RENEW = script(
  'renew',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
);

/** KEYS: leader. ARGV: our value. Deletes the key only if the value is still ours. */
export const RELEASE = script(
  'release',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`,
);

/** KEYS: leader. Returns { value or false, pttl }. */
export const READ = script(
  'read',
  1,
  `
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
`,
);
