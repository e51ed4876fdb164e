// The delay nemesis's machinery on the harness side: one relay process (relay-app.ts) per node, in
// the node's namespace, and the nat rules that send the node's connections through it.
//
// Why a relay at all: this kernel has no sch_netem (`tc qdisc add ... netem` answers "Specified
// qdisc kind is unknown"), so a fixed delay with jitter has to be made in userspace.
//
// Why always in the path, idle at zero delay, rather than only during the nemesis: nat rules apply
// to new connections only, and the transport keeps its connections for the whole run; moving them
// onto the relay at the start of a nemesis would take a reset of every connection on the link
// (`ss -K`), a second fault in every delay cycle. Idle, the relay passes each chunk on at once, and
// it passes FINs, resets and refusals on as the network would (relay.ts), so the other nemeses act
// as before: drops and duplicates are iptables rules on the node's address, which is where the
// relay's own connections come from (it runs in the node's namespace), and `slow` shapes eth0,
// which they leave by. What a node sees differently: a dial always connects at once (to the relay),
// and a refused or unanswered dial upstream arrives as a reset or as silence on that connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Delay } from './delay-line.js';
import type { ChaosNetwork } from './network.js';
import type { RelayCommand, RelayOrder, RelayReply, RelaySpec } from './relay-app.js';
import type { RelayTarget } from './relay.js';

/**
 * The relay runs in this group (still as root), and the nat rules spare that group's connections
 * (`-m owner ! --gid-owner`): the relay's own dials to the peers go out as they are.
 */
export const RELAY_GID = 65534;
/** The relay's port for the i-th member of the network, on the node's own address. */
const RELAY_PORT_BASE = 7100;
const COMMAND_TIMEOUT_MS = 5000;

/** Messages from `from` to `to` wait `delay`, on every connection between the two. */
export interface DelayedLink {
  readonly from: string;
  readonly to: string;
  readonly delay: Delay;
}

/** One node's relay process, stopped by its PID. */
export class RelayMember {
  private child: ChildProcess | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, () => void>();
  private listening: (() => void) | undefined;
  private stopping = false;
  /** Set when the process ended without being told to. */
  private died: string | undefined;

  constructor(
    readonly spec: RelaySpec,
    private readonly namespace: string,
    private readonly script: string,
    private readonly logFile: string,
  ) {}

  get node(): string {
    return this.spec.node;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    const log = openSync(this.logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', this.namespace, process.execPath, this.script], {
      env: { ...process.env, CHAOS_RELAY: JSON.stringify(this.spec) },
      stdio: ['ignore', log, log, 'ipc'],
      gid: RELAY_GID,
    });
    closeSync(log);
    this.child = child;
    child.on('message', (m: RelayReply) => {
      if (m.kind === 'listening') this.listening?.();
      else this.waiting.get(m.id)?.();
    });
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.died = `the relay of ${this.node} exited (${signal ?? code}); see ${this.logFile}`;
    });
    await this.within(timeoutMs, `did not listen within ${timeoutMs} ms`, (done) => (this.listening = done));
  }

  async command(command: RelayOrder): Promise<void> {
    const id = this.nextId++;
    this.check();
    this.child!.send({ ...command, id } satisfies RelayCommand);
    await this.within(COMMAND_TIMEOUT_MS, `did not confirm ${command.kind} within ${COMMAND_TIMEOUT_MS} ms`, (done) => this.waiting.set(id, done));
    this.waiting.delete(id);
  }

  /** Throws if the relay died: its node would be cut off by a fault nobody recorded. */
  check(): void {
    if (this.died) throw new Error(`chaos: ${this.died}`);
  }

  stop(): void {
    this.stopping = true;
    const pid = this.pid;
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  }

  private within(timeoutMs: number, what: string, arm: (done: () => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chaos: the relay of ${this.node} ${what}; see ${this.logFile}`)), timeoutMs);
      arm(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Starts a relay for every node and sends the node's connections to every other member through
 * it. Each relay lands in `relays` before it starts, for cleanup on any failure.
 */
export async function startRelays(
  network: ChaosNetwork,
  members: readonly { name: string; ip: string; port: number }[],
  nodes: readonly string[],
  relays: RelayMember[],
  seed: number,
  logFile: (node: string) => string,
): Promise<void> {
  const script = fileURLToPath(new URL('./relay-app.js', import.meta.url));
  for (const [i, node] of nodes.entries()) {
    const targets: RelayTarget[] = members
      .map((m, j) => ({ name: m.name, host: m.ip, port: m.port, listenPort: RELAY_PORT_BASE + j }))
      .filter((t) => t.name !== node);
    const spec: RelaySpec = { node, listenHost: network.ipOf(node), targets, seed: (seed + 7919 * (i + 1)) >>> 0 };
    const relay = new RelayMember(spec, network.namespaceOf(node), script, logFile(node));
    relays.push(relay);
    await relay.start();
    for (const t of targets) network.divert(node, t.host, t.port, t.listenPort, RELAY_GID);
  }
}

/**
 * The delay nemesis's handle on the relays. A link from `from` to `to` is delayed at both relays
 * that carry it: `from`'s, on what it sends up the connections it dialled to `to`, and `to`'s, on
 * what comes back down the connections `to` dialled to `from`. (Redis has no relay: its links
 * are delayed at the node's end only, which carries them all.)
 */
export class LinkDelays {
  constructor(private readonly relays: readonly RelayMember[]) {}

  async apply(links: readonly DelayedLink[]): Promise<void> {
    await Promise.all(
      this.relays.map((relay) => {
        const mine = links.flatMap(({ from, to, delay }) => [
          ...(from === relay.node ? [{ target: to, direction: 'up' as const, delay }] : []),
          ...(to === relay.node ? [{ target: from, direction: 'down' as const, delay }] : []),
        ]);
        return mine.length > 0 ? relay.command({ kind: 'delay', links: mine }) : undefined;
      }),
    );
  }

  async heal(): Promise<void> {
    await Promise.all(this.relays.map((relay) => relay.command({ kind: 'heal' })));
  }

  /** Throws if any relay died. */
  check(): void {
    for (const relay of this.relays) relay.check();
  }
}
