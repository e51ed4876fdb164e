import { sharedNow } from '../support/clock.js';
import type { NodeSpec } from './node-messages.js';
import { answerCommands, report } from './node-ipc.js';

// Stamped before the package loads: cold start counts module loading.
report({ type: 'loaded', at: sharedNow() });

const spec = JSON.parse(process.env.BENCH_NODE ?? '{}') as NodeSpec;
const { createCluster } = spec.entry === 'root' ? await import('nest-cluster') : await import('nest-cluster/core');
report({ type: 'imported', at: sharedNow() });

const cluster =
  spec.mode === 'kubernetes'
    ? createCluster({ mode: 'kubernetes', nodeName: spec.name, logger: false, kubernetes: { kubeConfig: spec.storeUrl! }, lease: spec.lease! })
    : spec.mode === 'postgres' || spec.mode === 'mysql'
    ? createCluster({
        mode: spec.mode,
        nodeName: spec.name,
        logger: false,
        ...(spec.mode === 'postgres' ? { postgres: { connectionString: spec.storeUrl! } } : { mysql: { uri: spec.storeUrl! } }),
        lease: spec.lease!,
      })
    : spec.mode === 'redis'
    ? createCluster({
        mode: 'redis',
        nodeName: spec.name,
        logger: false,
        redis: { url: spec.redisUrl! },
        redisDiscovery: spec.redisDiscovery!,
      })
    : createCluster({
        mode: 'cluster',
        nodeName: spec.name,
        nodes: spec.nodes!.map((n) => ({ ...n })),
        secret: 'bench-secret-0123456789',
        electionTimeoutMs: spec.electionTimeoutMs,
        heartbeatIntervalMs: spec.heartbeatIntervalMs,
        dataDir: spec.dataDir,
        logger: false,
      });

cluster.events$.subscribe((e) => report({ type: 'event', event: e.type, term: e.term, leader: e.leaderName, at: sharedNow() }));

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  report({ type: 'closing', at: sharedNow() });
  await cluster.close();
  process.disconnect?.();
  process.exit(0);
}

process.on('SIGTERM', () => void close());
answerCommands(() => void close());
// The parent going away ends this node too, so no bench node outlives a failed run.
process.on('disconnect', () => void close());

await cluster.startUp();
report({ type: 'started', at: sharedNow() });
