import { resolveClusterOptions } from '../../lib/config/resolve-options.js';
import type { ClusterModuleOptions } from '../../lib/config/cluster-options.js';
import { Cluster } from '../../lib/core/cluster.js';
import type { ElectionEngine, ElectionView } from '../../lib/core/election/election-engine.js';
import { partsFor, type ClusterEnvironment } from '../../lib/create-cluster.js';
import { expect } from 'vitest';
import { ActingLog } from './acting-log.js';
import { waitFor } from './wait-for.js';

/** Short timings: a lease of 500 ms renewed every 150 ms. Deadlines in tests are many periods. */
export const FAST = { electionInterval: 150, electionPeriod: 500, syncLeaderInterval: 150 } as const;

export interface LeaseNode {
  readonly name: string;
  readonly cluster: Cluster;
  /** The node's engine, to crash it (stop without releasing) as a killed process would. */
  readonly engine: ElectionEngine;
}

/**
 * Lease-mode clusters (nodes) in this process, redis mode unless `base.mode` says another, with
 * their acting intervals recorded. FAST timings go to both `redisDiscovery` and `lease`.
 */
export class LeaseNodes {
  readonly nodes: LeaseNode[] = [];
  readonly log = new ActingLog();
  /** Every view any engine reported, in order. */
  readonly views: { node: string; view: ElectionView }[] = [];

  constructor(private readonly base: ClusterModuleOptions) {}

  add(name: string, options: ClusterModuleOptions = {}, env: ClusterEnvironment = {}): LeaseNode {
    const settings = resolveClusterOptions({
      mode: 'redis',
      logger: false,
      ...this.base,
      ...options,
      nodeName: name,
      redisDiscovery: { ...FAST, ...this.base.redisDiscovery, ...options.redisDiscovery },
      lease: { ...FAST, ...this.base.lease, ...options.lease },
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

  async start(...names: string[]): Promise<LeaseNode[]> {
    const added = names.map((name) => this.add(name));
    await Promise.all(added.map((n) => n.cluster.startUp()));
    return added;
  }

  acting(): LeaseNode[] {
    return this.nodes.filter((n) => n.cluster.isLeader());
  }

  /** Waits until exactly one of `among` acts and every other one of them follows it; returns it. */
  async settled(among: LeaseNode[] = this.live(), timeoutMs = 15_000): Promise<LeaseNode> {
    let leader: LeaseNode | undefined;
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

  live(): LeaseNode[] {
    return this.nodes.filter((n) => !n.cluster.isClose() && !this.crashed.has(n));
  }

  private readonly crashed = new Set<LeaseNode>();

  /** Stops a node's engine without releasing the lease, as if its process died. */
  async crash(node: LeaseNode): Promise<void> {
    this.crashed.add(node);
    await node.engine.stop({ handOver: false });
  }

  /**
   * Crashes the leader `among` agree on and waits until the live nodes follow a successor, which
   * must hold a higher fencing token; returns it and how long the failover took.
   */
  async failOver(among: LeaseNode[] = this.live()): Promise<{ successor: LeaseNode; ms: number }> {
    const leader = await this.settled(among);
    const token = leader.cluster.getMyTerm();
    const crashedAt = performance.now();
    await this.crash(leader);
    const successor = await this.settled(this.live());
    const ms = performance.now() - crashedAt;
    expect(successor.cluster.getMyTerm(), `the successor of ${leader.name} (token ${token})`).toBeGreaterThan(token);
    return { successor, ms };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.cluster.close()));
  }
}
