import { execFileSync } from 'node:child_process';

/** A link fault: packets from `from` to `to` are dropped, or (`duplicate`) arrive twice. */
export interface Drop {
  readonly from: string;
  readonly to: string;
  /** Drop only this share of the packets (iptables `statistic --mode random`); default all. */
  readonly probability?: number;
  /** Duplicate instead of drop: iptables TEE clones each packet to its own destination. */
  readonly duplicate?: boolean;
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
  private readonly slowed = new Set<string>();

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
      iptables(ns, ['-t', 'mangle', '-N', CHAIN]);
      iptables(ns, ['-t', 'mangle', '-A', 'POSTROUTING', '-j', CHAIN]);
      this.members.set(name, { ns, ip });
    });
  }

  namespaceOf(name: string): string {
    return this.member(name).ns;
  }

  ipOf(name: string): string {
    return this.member(name).ip;
  }

  /** Drops on the receiving side, duplicates on the sending side, in that member's own namespace. */
  apply(drops: readonly Drop[]): void {
    for (const { from, to, probability, duplicate } of drops) {
      const random = probability === undefined ? [] : ['-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(3)];
      if (duplicate) iptables(this.namespaceOf(from), ['-t', 'mangle', '-A', CHAIN, '-d', this.ipOf(to), ...random, '-j', 'TEE', '--gateway', this.ipOf(to)]);
      else iptables(this.namespaceOf(to), ['-A', CHAIN, '-s', this.ipOf(from), ...random, '-j', 'DROP']);
    }
  }

  /**
   * Everything `name` sends waits in a token bucket (tc tbf) of `kbit` kbit/s, up to `queueMs`
   * before it is dropped: queueing delay that varies with the traffic, this kernel having no netem.
   */
  slow(name: string, kbit: number, queueMs: number): void {
    const ns = this.namespaceOf(name);
    run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '1600', 'latency', `${queueMs}ms`]);
    this.slowed.add(ns);
  }

  /**
   * `name`'s new TCP connections to `ip:port` go to `localPort` on its own address instead (nat
   * OUTPUT, in its own namespace, for the whole run), except those of group `exemptGid`'s
   * processes: the relay's own connections onward. `heal()` leaves these rules alone.
   */
  divert(name: string, ip: string, port: number, localPort: number, exemptGid: number): void {
    const owner = ['-m', 'owner', '!', '--gid-owner', String(exemptGid)];
    const to = `${this.ipOf(name)}:${localPort}`;
    iptables(this.namespaceOf(name), ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-d', ip, '--dport', String(port), ...owner, '-j', 'DNAT', '--to-destination', to]);
  }

  /** Removes every drop, duplication and slow link. */
  heal(): void {
    for (const { ns } of this.members.values()) {
      iptables(ns, ['-F', CHAIN]);
      iptables(ns, ['-t', 'mangle', '-F', CHAIN]);
    }
    for (const ns of this.slowed) run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
    this.slowed.clear();
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
