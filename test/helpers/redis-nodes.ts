import { afterAll, afterEach, beforeAll } from 'vitest';
import { LeaseNodes } from './lease-nodes.js';
import { RedisServer } from './redis-server.js';

// Redis specs name the lease-mode node set by their store.
export { FAST, LeaseNodes as RedisNodes, type LeaseNode as RedisNode } from './lease-nodes.js';

/**
 * One redis-server for the calling spec file (started before its tests, stopped after), and a
 * fresh group of nodes per test under a dataPath of its own; each test's group is closed after
 * it and its acting log checked (never two acting leaders).
 */
export function redisSuite(prefix: string): { server: () => RedisServer; nodes: () => LeaseNodes; dataPath: () => string } {
  let server: RedisServer | undefined;
  let group: LeaseNodes | undefined;
  let path = 0;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  afterEach(async () => {
    if (!group) return;
    await group.closeAll();
    group.log.expectSafe();
    group = undefined;
  });
  const running = () => {
    if (!server) throw new Error('redisSuite: the server starts in beforeAll');
    return server;
  };
  return {
    server: running,
    /** The dataPath of the group `nodes()` made last. */
    dataPath: () => `${prefix}-${path}`,
    nodes: () => {
      group = new LeaseNodes({ redis: { url: running().url }, redisDiscovery: { dataPath: `${prefix}-${++path}` } });
      return group;
    },
  };
}
