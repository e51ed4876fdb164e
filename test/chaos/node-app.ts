// One chaos node: a cluster of the built package in its own process (and network namespace), a
// leader job that ticks every `tickMs` and reports its fencing token and lease end, and random
// remote calls to the other nodes. Every fact is stamped here, on the host's monotonic clock.
import { hostNow } from './clock.js';
import type { NodeFact, NodeSpec } from './facts.js';

const { createCluster, DefaultCaller, DefaultJobTracker, newFuncSpec } = await import('nest-cluster');
type LeaderContext = import('nest-cluster').LeaderContext;

/** The node's log in the run directory (stderr), each line stamped on the timeline's clock. */
const line = (level: string) => (message: string, stack?: string) =>
  void process.stderr.write(`${hostNow().toFixed(3)} ${level}: ${message}${stack ? `\n${stack}` : ''}\n`);
const hostStampedLogger = { log: line('log'), warn: line('warn'), error: line('error') };

const spec = JSON.parse(process.env.CHAOS_NODE ?? '{}') as NodeSpec;
const report = (fact: NodeFact): void => void process.send?.(fact);

const base = {
  nodeName: spec.name,
  nodes: spec.nodes.map((n) => ({ ...n })),
  secret: spec.secret,
  logger: hostStampedLogger,
  // Close quickly when told: a hand-over is not what this harness tests.
  shutdownTimeoutMs: 1000,
};
const options = ((): Parameters<typeof createCluster>[0] => {
  const { storeUrl, lease } = spec;
  switch (spec.mode) {
    case 'cluster':
      return { ...base, mode: 'cluster', electionTimeoutMs: spec.electionTimeoutMs, dataDir: spec.dataDir };
    case 'redis': {
      const { name, ...timings } = lease!;
      return { ...base, mode: 'redis', redis: { url: storeUrl! }, redisDiscovery: { dataPath: name, ...timings } };
    }
    case 'postgres':
      return { ...base, mode: 'postgres', postgres: { connectionString: storeUrl! }, lease };
    case 'mysql':
      return { ...base, mode: 'mysql', mysql: { uri: storeUrl! }, lease };
    case 'kubernetes':
      return { ...base, mode: 'kubernetes', kubernetes: { kubeConfig: storeUrl! }, lease };
  }
})();
// The lease runs on the host clock, so the lease end it reports is on the timeline as it is.
const cluster = createCluster(options, { clock: { now: hostNow, wallTime: () => Date.now() } });

/**
 * The engine's acting deadline (DESIGN §3 "Leader work": a run starts only before it). It is not
 * public API; the oracle needs it to cut each acting interval at the lease end the node believed.
 */
const engine = (cluster as unknown as { engine: { actingUntil(): number } }).engine;
let lastLeaseEnd: number | null = null;
const leaseEnd = (): number | null => {
  const until = engine.actingUntil();
  if (Number.isFinite(until)) lastLeaseEnd = until;
  return Number.isFinite(until) ? until : null;
};
/**
 * A tick reports the lease it ran under: the current one, or if the lease ended between the job's
 * lease check and this read, the one just ended (so the oracle judges the tick against it).
 */
const tickLeaseEnd = (): number | null => leaseEnd() ?? lastLeaseEnd;

class TickCaller extends DefaultCaller {
  override masterCall(ctx: LeaderContext): void {
    const at = hostNow();
    report({ kind: 'tick', token: ctx.fencingToken, term: ctx.term, leaseEnd: tickLeaseEnd(), at });
  }

  override onStartedLeading(ctx: LeaderContext): void {
    if (spec.brokenKeepTicking) keepTicking(ctx);
  }
}

/** The self-test's broken job: a timer of its own that never asks whether the lease holds. */
function keepTicking(ctx: LeaderContext): void {
  const timer = setInterval(() => {
    if (!ctx.signal.aborted) return;
    report({ kind: 'tick', token: ctx.fencingToken, term: ctx.term, leaseEnd: tickLeaseEnd(), at: hostNow() });
  }, spec.tickMs);
  setTimeout(() => clearInterval(timer), 5000);
}

new DefaultJobTracker({ ms: spec.tickMs }, cluster, new TickCaller(), { name: 'chaos-tick' }).start();

cluster.events$.subscribe((e) => {
  report({ kind: 'event', type: e.type, term: e.term, leader: e.leaderName ?? null, leaseEnd: leaseEnd(), at: hostNow() });
});

cluster.registerFunc('echo', (param: unknown) => param);

let nextCallId = 0;
const others = spec.nodes.map((n) => n.name).filter((name) => name !== spec.name);
function callSomeone(): void {
  const id = nextCallId++;
  const target = others[Math.floor(Math.random() * others.length)]!;
  report({ kind: 'call-start', id, target, timeoutMs: spec.callTimeoutMs, at: hostNow() });
  cluster.callFunc(newFuncSpec(target, 'echo', { id }, spec.callTimeoutMs)).then(
    () => report({ kind: 'call-end', id, ok: true, code: null, at: hostNow() }),
    (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      report({ kind: 'call-end', id, ok: false, code: typeof code === 'string' ? code : null, at: hostNow() });
    },
  );
}

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  clearInterval(calls);
  await cluster.close();
  process.exit(0);
}
process.on('SIGTERM', () => void close());
// The harness going away ends this node too, so no node outlives a failed run.
process.on('disconnect', () => void close());

let calls: NodeJS.Timeout | undefined;
await cluster.startUp();
report({ kind: 'started', at: hostNow() });
if (others.length > 0) calls = setInterval(callSomeone, spec.callEveryMs);
