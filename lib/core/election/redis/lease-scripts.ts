import { createHash } from 'node:crypto';

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

/**
 * KEYS: leader, epoch. ARGV: node name, electionPeriod ms, highest token this node has seen.
 * Returns { 1, value, pttl } when this node now holds the lease, else { 0, current value or false,
 * pttl }, so every attempt also tells a follower who leads and for how long.
 *
 * A missing epoch means this Redis has lost its data (first start, restart without persistence,
 * eviction); a leader may still be acting on a lease kept in the lost key. The script then parks a
 * quarantine value in the leader key for one full period, so nobody acquires before that lease
 * has run out on its holder's clock. The caller's highest seen token seeds the counter again, so
 * fencing tokens keep growing across the loss, as far as any node saw them.
 */
export const ACQUIRE = script(
  'acquire',
  2,
  `
local current = redis.call('GET', KEYS[1])
if current then
  return {0, current, redis.call('PTTL', KEYS[1])}
end
local floor = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], ARGV[3])
  local quarantine = '{"quarantine":true}'
  redis.call('SET', KEYS[1], quarantine, 'PX', ARGV[2])
  return {0, quarantine, tonumber(ARGV[2])}
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
