import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChaosNode } from './chaos-node.js';
import type { NodeSpec } from './facts.js';
import type { ChaosOptions } from './options.js';
import { storeMember } from './store-member.js';
import type { RunResources } from './run.js';
import type { Timeline } from './timeline.js';

const NODE_PORT = 7000;

/**
 * The run's network and its members: `n0`… (and in a store mode the store, named by the mode:
 * `redis`, `postgres`, `mysql`, `kubernetes`), each in its namespace. The store is started, the
 * nodes created, not spawned; everything lands in `r` before it starts, for cleanup on any failure.
 */
export async function createMembers(o: ChaosOptions, runDir: string, r: RunResources, timeline: Timeline): Promise<void> {
  const T = o.electionTimeoutMs;
  const names = Array.from({ length: o.nodes }, (_, i) => `n${i}`);
  const store = o.mode === 'cluster' ? undefined : o.mode;
  r.network.create(store ? [...names, store] : names);
  if (store) {
    r.store = storeMember(store, r.network.namespaceOf(store), r.network.ipOf(store), runDir);
    await r.store.start();
  }
  const script = fileURLToPath(new URL('./node-app.js', import.meta.url));
  const nodes = names.map((name) => ({ name, ip: r.network.ipOf(name), port: NODE_PORT }));
  for (const [i, name] of names.entries()) {
    // Every other node keeps its Raft state on disk; the rest restart blank (DESIGN §5).
    const dataDir = i % 2 === 0 ? join(runDir, 'data', name) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const spec: NodeSpec = {
      name,
      mode: o.mode,
      nodes,
      secret: 'chaos-secret-0123456789abcdef',
      electionTimeoutMs: T,
      dataDir,
      // Store modes: the lease lasts T and is renewed every T/5.
      storeUrl: r.store?.url,
      lease: { name: 'chaos', electionInterval: T / 5, electionPeriod: T, syncLeaderInterval: T / 5 },
      tickMs: 10,
      callEveryMs: 50,
      callTimeoutMs: 500,
      brokenKeepTicking: o.brokenKeepTicking,
    };
    r.nodes.push(new ChaosNode(spec, r.network.namespaceOf(name), script, join(runDir, `${name}.log`), timeline));
  }
}
