import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../lib/core/node.js';
import { buildLib, repoRoot } from '../helpers/built-lib.js';
import { freePorts } from '../helpers/ports.js';
import { SECRET } from '../helpers/raft-cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { onLines } from '../helpers/child-lines.js';

const T = 500;
let built: ReturnType<typeof buildLib>;
beforeAll(() => void (built = buildLib('cluster-process-test')));
afterAll(() => built.remove());

interface ChildEvent {
  type: string;
  term: number;
  leaderName?: string;
  at: number;
}

/** A node in its own process, with the events it printed. */
class ChildNode {
  readonly events: ChildEvent[] = [];
  closed = false;
  readonly exited: Promise<unknown>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    onLines(child.stdout!, (line) => {
      if (line === 'closed') this.closed = true;
      else this.events.push(JSON.parse(line) as ChildEvent);
    });
    this.exited = once(child, 'exit');
  }

  /** Acting now, by its own events. */
  get leading(): boolean {
    const last = this.events.filter((e) => e.type === 'SignMaster' || e.type === 'StopMaster').at(-1);
    return last?.type === 'SignMaster';
  }

  get following(): string | undefined {
    const last = this.events.filter((e) => e.type === 'SignFollower' || e.type === 'ReleaseMaster').at(-1);
    return last?.type === 'SignFollower' ? last.leaderName : undefined;
  }
}

const children: ChildNode[] = [];
afterEach(async () => {
  for (const node of children.splice(0)) {
    node.child.kill('SIGKILL');
    await node.exited;
  }
});

async function startNodes(names: string[]): Promise<{ nodes: NodeConfig[]; start(name: string): ChildNode }> {
  const ports = await freePorts(names.length);
  const nodes = names.map((name, i) => ({ name, ip: '127.0.0.1', port: ports[i]! }));
  const start = (name: string) => {
    const options = { mode: 'cluster', nodes, nodeName: name, electionTimeoutMs: T, secret: SECRET };
    const child = spawn(process.execPath, [`${repoRoot}test/fixtures/cluster-node.mjs`, JSON.stringify({ buildDir: built.dir, options })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const node = new ChildNode(name, child);
    children.push(node);
    return node;
  };
  return { nodes, start };
}

const deadline = { timeoutMs: 60 * T };

describe('nodes as separate processes', () => {
  it('a leader killed with SIGKILL is replaced, and the new leader has a higher term', async () => {
    const { start } = await startNodes(['p1', 'p2', 'p3']);
    const all = ['p1', 'p2', 'p3'].map(start);
    await waitFor(() => all.filter((n) => n.leading).length === 1, { ...deadline, what: 'a leader' });
    const first = all.find((n) => n.leading)!;
    const firstTerm = first.events.at(-1)!.term;
    first.child.kill('SIGKILL');
    await first.exited;
    const rest = all.filter((n) => n !== first);
    await waitFor(() => rest.some((n) => n.leading), { ...deadline, what: 'a new leader' });
    const second = rest.find((n) => n.leading)!;
    expect(second.events.at(-1)!.term).toBeGreaterThan(firstTerm);
    await waitFor(() => rest.every((n) => n === second || n.following === second.name), deadline);
  });

  it('a leader frozen with SIGSTOP is replaced; resumed, it stops acting and follows', async () => {
    const { start } = await startNodes(['s1', 's2', 's3']);
    const all = ['s1', 's2', 's3'].map(start);
    await waitFor(() => all.filter((n) => n.leading).length === 1, { ...deadline, what: 'a leader' });
    const frozen = all.find((n) => n.leading)!;
    frozen.child.kill('SIGSTOP');
    const rest = all.filter((n) => n !== frozen);
    await waitFor(() => rest.some((n) => n.leading), { ...deadline, what: 'a leader while the old one is frozen' });
    const second = rest.find((n) => n.leading)!;
    frozen.child.kill('SIGCONT');
    await waitFor(() => !frozen.leading && frozen.following === second.name, { ...deadline, what: 'the old leader to follow' });
    expect(second.leading).toBe(true);
  });

  it('SIGTERM on the leader hands leadership over gracefully', async () => {
    const { start } = await startNodes(['g1', 'g2', 'g3']);
    const all = ['g1', 'g2', 'g3'].map(start);
    await waitFor(() => all.filter((n) => n.leading).length === 1, { ...deadline, what: 'a leader' });
    const first = all.find((n) => n.leading)!;
    first.child.kill('SIGTERM');
    const rest = all.filter((n) => n !== first);
    await waitFor(() => rest.some((n) => n.leading), { ...deadline, what: 'the hand-over' });
    await waitFor(() => first.closed, { ...deadline, what: 'the old leader to close' });
    const stopAt = first.events.find((e) => e.type === 'StopMaster')!.at;
    const signAt = rest.flatMap((n) => n.events).find((e) => e.type === 'SignMaster')!.at;
    expect(signAt).toBeGreaterThanOrEqual(stopAt); // the old leader stopped acting first
  });
});
