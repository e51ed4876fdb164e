import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoredisCommands } from '../../lib/core/election/lease/stores/redis/ioredis-commands.js';
import { RedisLeaseStore } from '../../lib/core/election/lease/stores/redis/redis-lease-store.js';
import { RedisServer } from '../helpers/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.dispose();
});

describe('the Redis lease store', () => {
  it('acquires after the first-start quarantine, renews, reads and releases only its own lease, keeping the epoch', async () => {
    const store = new RedisLeaseStore(new IoredisCommands(new Redis(server.url), true, () => undefined), 'store-spec');
    const claim = { node: 'a', periodMs: 60_000, highestToken: 4 };
    // A new Redis has no epoch: the lease is quarantined, and the epoch seeded with the highest token seen.
    expect(await store.acquire(claim)).toMatchObject({ acquired: false, holder: undefined, quarantined: true });
    const admin = new Redis(server.url);
    await admin.del('{store-spec}:leader'); // end the quarantine now
    await admin.quit();
    const won = await store.acquire(claim);
    expect(won).toMatchObject({ acquired: true, holder: { node: 'a', token: 5 }, quarantined: false });
    const lease = { node: 'a', token: 5, raw: won.holder!.raw };
    expect(await store.renew(lease, 60_000)).toBe(true);
    expect(await store.read()).toMatchObject({ holder: { node: 'a', token: 5 }, quarantined: false });
    expect(await store.renew({ ...lease, raw: '{"node":"a","token":4}' }, 60_000)).toBe(false);
    expect(await store.release(lease)).toBe(true);
    expect(await store.read()).toMatchObject({ holder: undefined, remainingMs: 0 });
    expect(await store.acquire(claim)).toMatchObject({ acquired: true, holder: { node: 'a', token: 6 } });
    await store.close();
  });
});
