import { execFileSync } from 'node:child_process';

/** A link drop: packets from `from` never reach `to`. */
export interface Drop {
  readonly from: string;
  readonly to: string;
  /** Drop only this share of the packets (iptables `statistic --mode random`); default all. */
  readonly probability?: number;
}

const SUBNET = '10.213.0';
/** The chain our rules go in, jumped to from INPUT, in namespaces that are ours alone. */
const CHAIN = 'NCHAOS';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function iptables(ns: string, args: string[]): void {
  run('ip', ['netns', 'exec', ns, 'iptables-legacy', '-w', ...args]);
}

/**
 * The run's network: a hub namespace with a bridge, one namespace per member (node or Redis) with
 * a veth to the bridge, addresses in 10.213.0.0/24 that exist only inside these namespaces. Every
 * name starts with `prefix` (unique per run), and `remove()` deletes exactly these namespaces,
 * which takes their veths, bridge and iptables rules with them.
 */
export class ChaosNetwork {
  private readonly hub: string;
  private readonly members = new Map<string, { ns: string; ip: string }>();
  private created: string[] = [];

  constructor(private readonly prefix: string) {
    this.hub = `${prefix}h`;
  }

  create(names: readonly string[]): void {
    this.addNamespace(this.hub);
    const bridge = `${this.prefix}br`;
    run('ip', ['-n', this.hub, 'link', 'add', bridge, 'type', 'bridge']);
    run('ip', ['-n', this.hub, 'link', 'set', bridge, 'up']);
    names.forEach((name, i) => {
      const ns = `${this.prefix}m${i}`;
      const ip = `${SUBNET}.${10 + i}`;
      this.addNamespace(ns);
      const hubEnd = `${this.prefix}v${i}`;
      run('ip', ['-n', this.hub, 'link', 'add', hubEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run('ip', ['-n', this.hub, 'link', 'set', hubEnd, 'master', bridge, 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      iptables(ns, ['-N', CHAIN]);
      iptables(ns, ['-A', 'INPUT', '-j', CHAIN]);
      this.members.set(name, { ns, ip });
    });
  }

  namespaceOf(name: string): string {
    return this.member(name).ns;
  }

  ipOf(name: string): string {
    return this.member(name).ip;
  }

  /** Applies drops on the receiving side, in that member's own namespace. */
  apply(drops: readonly Drop[]): void {
    for (const { from, to, probability } of drops) {
      const random = probability === undefined ? [] : ['-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(3)];
      iptables(this.namespaceOf(to), ['-A', CHAIN, '-s', this.ipOf(from), ...random, '-j', 'DROP']);
    }
  }

  /** Removes every drop. */
  heal(): void {
    for (const { ns } of this.members.values()) iptables(ns, ['-F', CHAIN]);
  }

  /** Deletes every namespace this network created; safe to call twice and after a failed create. */
  remove(): void {
    for (const ns of this.created.reverse()) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
    this.created = [];
  }

  private addNamespace(ns: string): void {
    run('ip', ['netns', 'add', ns]);
    this.created.push(ns);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }

  private member(name: string): { ns: string; ip: string } {
    const member = this.members.get(name);
    if (!member) throw new Error(`chaos: no network member ${name}`);
    return member;
  }
}
