import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterModuleOptions } from '../../lib/config/cluster-options.js';
import type { Cluster } from '../../lib/core/cluster.js';
import type { NodeConfig } from '../../lib/core/node.js';
import { createCluster } from '../../lib/create-cluster.js';
import { ActingLog } from './acting-log.js';
import { FaultProxy, type ProxyMode } from './fault-proxy.js';
import { FrameProxy, type Tamper } from './frame-proxy.js';
import { freePorts } from './ports.js';
import { SECRET } from './transports.js';
import { waitFor } from './wait-for.js';

export { SECRET };

/** Election timeout for in-process cluster tests: short, with deadlines of many timeouts. */
export const T = 300;

export interface RaftClusterOptions {
  /** Put a fault-injecting proxy on every directed link, for partitions. */
  proxies?: boolean;
  /** Put a frame-tampering proxy on every directed link (`tamper()`), for per-frame protection. */
  frameProxies?: boolean;
  /** Persist term and vote in a temp dir per node. */
  persist?: boolean;
  options?: ClusterModuleOptions;
}

/**
 * N cluster-mode nodes in this process on free 127.0.0.1 ports, with every leadership recorded
 * (ActingLog) and, optionally, a FaultProxy on each directed link i→j so that any set of links can
 * be cut, held or reset while every node keeps the same configured node list.
 */
export class RaftCluster {
  readonly log = new ActingLog();
  readonly clusters = new Map<string, Cluster>();
  private readonly links = new Map<string, FaultProxy>();
  private readonly frameLinks = new Map<string, FrameProxy>();
  private dataDir: string | undefined;

  private constructor(
    readonly nodes: NodeConfig[],
    private readonly options: RaftClusterOptions,
  ) {}

  static async start(names: string[], options: RaftClusterOptions = {}): Promise<RaftCluster> {
    const ports = await freePorts(names.length);
    const group = new RaftCluster(names.map((name, i) => ({ name, ip: '127.0.0.1', port: ports[i]! })), options);
    if (options.persist) group.dataDir = await mkdtemp(join(tmpdir(), 'nest-cluster-raft-'));
    if (options.proxies) {
      for (const from of group.nodes) {
        for (const to of group.nodes) {
          if (from !== to) group.links.set(`${from.name}>${to.name}`, await FaultProxy.start({ host: to.ip, port: to.port }));
        }
      }
    }
    if (options.frameProxies) {
      for (const from of group.nodes) {
        for (const to of group.nodes) {
          if (from !== to) group.frameLinks.set(`${from.name}>${to.name}`, await FrameProxy.start({ host: to.ip, port: to.port }));
        }
      }
    }
    await Promise.all(names.map((name) => group.boot(name)));
    return group;
  }

  get(name: string): Cluster {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new Error(`node ${name} is not running`);
    return cluster;
  }

  /** Starts (or restarts) a node with the same configuration. */
  async boot(name: string): Promise<Cluster> {
    const cluster = createCluster(
      {
        mode: 'cluster',
        nodes: this.nodes,
        nodeName: name,
        electionTimeoutMs: T,
        secret: SECRET,
        logger: false,
        dataDir: this.dataDir,
        ...this.options.options,
      },
      {
        dialAddress: this.options.proxies || this.options.frameProxies
          ? (peer) => (this.links.get(`${name}>${peer.name}`) ?? this.frameLinks.get(`${name}>${peer.name}`))!.address
          : undefined,
      },
    );
    this.clusters.set(name, cluster);
    this.log.watch(cluster);
    await cluster.startUp();
    return cluster;
  }

  /** Closes a node gracefully (it hands leadership over if it leads). */
  async stop(name: string): Promise<void> {
    const cluster = this.get(name);
    this.clusters.delete(name);
    await cluster.close();
  }

  /** Sets the mode of every link to and from `name`. */
  isolate(name: string, mode: ProxyMode = 'hold'): void {
    for (const [key, proxy] of this.links) {
      const [from, to] = key.split('>');
      if (from === name || to === name) proxy.setMode(mode);
    }
  }

  /** Tampers once with the next frame on the link `from` dialled to `to` (frameProxies only). */
  /**
   * Tampers with the next frame `sender` sends `receiver` after the handshake, on their pair link:
   * the connection dialled by the name that sorts first (peer-connections.ts), which carries every
   * frame between the two once the other one is retired.
   */
  tamper(sender: string, receiver: string, tamper: Tamper): void {
    const dialler = sender < receiver ? sender : receiver;
    const proxy = this.frameLinks.get(dialler === sender ? `${sender}>${receiver}` : `${receiver}>${sender}`)!;
    proxy.tamperNext(dialler === sender ? 'to-target' : 'to-client', tamper);
  }

  heal(): void {
    for (const proxy of this.links.values()) proxy.setMode('pass');
  }

  /** The nodes acting as leader right now. */
  acting(): Cluster[] {
    return [...this.clusters.values()].filter((c) => c.isLeader());
  }

  /** Waits until exactly one of `among` acts and every other of them follows it; returns it. */
  async settled(among: string[] = [...this.clusters.keys()], timeoutMs = 60 * T): Promise<Cluster> {
    let leader: Cluster | undefined;
    await waitFor(
      () => {
        const members = among.map((n) => this.get(n));
        const acting = members.filter((c) => c.isLeader());
        if (acting.length !== 1) return false;
        leader = acting[0]!;
        const name = leader.getMyName();
        return members.every((c) => c === leader || (c.getLeaderName() === name && c.isReady()));
      },
      { timeoutMs, what: `one leader among ${among.join(', ')}` },
    );
    return leader!;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.close()));
    this.clusters.clear();
    await Promise.all([...this.links.values(), ...this.frameLinks.values()].map((p) => p.close()));
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
