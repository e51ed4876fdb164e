import { resolveClusterOptions } from '../../lib/config/resolve-options.js';
import type { ClusterModuleOptions } from '../../lib/config/cluster-options.js';
import { Cluster } from '../../lib/core/cluster.js';
import type { Clock } from '../../lib/core/clock.js';
import type { ClusterEvent } from '../../lib/core/events.js';
import { silentLogger } from '../../lib/core/logger.js';
import { systemClock } from '../../lib/system-clock.js';
import { ScriptedEngine, ScriptedTransport } from './scripted-engine.js';

/** A cluster over a ScriptedEngine, with every event it emits recorded. */
export function scriptedCluster(options: ClusterModuleOptions = {}, clock: Clock = systemClock) {
  const settings = resolveClusterOptions({
    mode: 'cluster',
    nodes: [
      { name: 'n1', ip: '127.0.0.1', port: 7001 },
      { name: 'n2', ip: '127.0.0.1', port: 7002 },
      { name: 'n3', ip: '127.0.0.1', port: 7003 },
    ],
    nodeName: 'n1',
    logger: false,
    ...options,
  });
  let engine!: ScriptedEngine;
  const transport = new ScriptedTransport();
  const cluster = new Cluster(
    { ...settings, logger: options.logger === undefined ? silentLogger : settings.logger },
    {
      clock,
      transport,
      createEngine: (host) => (engine = new ScriptedEngine(host, () => clock.now())),
    },
  );
  const events: ClusterEvent[] = [];
  cluster.events$.subscribe((event) => events.push(event));
  return { cluster, engine, transport, events, types: () => events.map((e) => e.type) };
}

/** A logger that keeps what it was told. */
export function memoryLogger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, log: at('log'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A clock that moves only when the test says: `stall(ms)` is a process frozen for that long. */
export function manualClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    wallTime: () => now,
    advance: (ms: number) => void (now += ms),
  };
}
