import { afterAll, afterEach, beforeAll } from 'vitest';
import { resolveClusterOptions } from '../../lib/config/resolve-options.js';
import type { ClusterModuleOptions } from '../../lib/config/cluster-options.js';
import { Cluster } from '../../lib/core/cluster.js';
import type { ElectionEngine, ElectionView } from '../../lib/core/election/election-engine.js';
import { partsFor, type ClusterEnvironment } from '../../lib/create-cluster.js';
import { ActingLog } from './acting-log.js';
import { RedisServer } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** Short timings: a lease of 500 ms renewed every 150 ms. Deadlines in tests are many periods. */
export const FAST = { electionInterval: 150, electionPeriod: 500, syncLeaderInterval: 150 } as const;

export interface RedisNode {
  readonly name: string;
  readonly cluster: Cluster;
  /** The node's engine, to crash it (stop without releasing) as a killed process would. */
  readonly engine: ElectionEngine;
}

/** Redis-mode clusters (nodes) in this process, with their acting intervals recorded. */
export class RedisNodes {
  readonly nodes: RedisNode[] = [];
  readonly log = new ActingLog();
  /** Every view any engine reported, in order. */
  readonly views: { node: string; view: ElectionView }[] = [];

  constructor(private readonly base: ClusterModuleOptions) {}

  add(name: string, options: ClusterModuleOptions = {}, env: ClusterEnvironment = {}): RedisNode {
    const settings = resolveClusterOptions({
      mode: 'redis',
      logger: false,
      ...this.base,
      ...options,
      nodeName: name,
      redisDiscovery: { ...FAST, ...this.base.redisDiscovery, ...options.redisDiscovery },
    });
    const parts = partsFor(settings, env);
    let engine!: ElectionEngine;
    const cluster = new Cluster(settings, {
      ...parts,
      createEngine: (host, functions) => {
        const recording = {
          onViewChange: (view: ElectionView) => {
            this.views.push({ node: name, view });
            host.onViewChange(view);
          },
          onFailure: (error: Error) => host.onFailure(error),
        };
        return (engine = parts.createEngine(recording, functions));
      },
    });
    this.log.watch(cluster);
    const node = { name, cluster, engine };
    this.nodes.push(node);
    return node;
  }

  async start(...names: string[]): Promise<RedisNode[]> {
    const added = names.map((name) => this.add(name));
    await Promise.all(added.map((n) => n.cluster.startUp()));
    return added;
  }

  acting(): RedisNode[] {
    return this.nodes.filter((n) => n.cluster.isLeader());
  }

  /** Waits until exactly one of `among` acts and every other one of them follows it; returns it. */
  async settled(among: RedisNode[] = this.live(), timeoutMs = 15_000): Promise<RedisNode> {
    let leader: RedisNode | undefined;
    await waitFor(
      () => {
        const acting = among.filter((n) => n.cluster.isLeader());
        if (acting.length !== 1) return false;
        leader = acting[0]!;
        return among.every((n) => n === leader || n.cluster.getLeaderName() === leader!.name);
      },
      { timeoutMs, what: 'one acting leader followed by every node' },
    );
    return leader!;
  }

  live(): RedisNode[] {
    return this.nodes.filter((n) => !n.cluster.isClose() && !this.crashed.has(n));
  }

  private readonly crashed = new Set<RedisNode>();

  /** Stops a node's engine without releasing the lease, as if its process died. */
  async crash(node: RedisNode): Promise<void> {
    this.crashed.add(node);
    await node.engine.stop({ handOver: false });
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.cluster.close()));
  }
}

/**
 * One redis-server for the calling spec file (started before its tests, stopped after), and a
 * fresh group of nodes per test under a dataPath of its own; each test's group is closed after
 * it and its acting log checked (never two acting leaders).
 */
export function redisSuite(prefix: string): { server: () => RedisServer; nodes: () => RedisNodes; dataPath: () => string } {
  let server: RedisServer | undefined;
  let group: RedisNodes | undefined;
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
      group = new RedisNodes({ redis: { url: running().url }, redisDiscovery: { dataPath: `${prefix}-${++path}` } });
      return group;
    },
  };
}
