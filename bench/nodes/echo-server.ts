import 'reflect-metadata';
import { createServer } from 'node:net';
import { onFrames, writeFrame } from '../support/framing.js';

/**
 * The server side of the calls bench, in its own process: an `echo` function returning its
 * parameter, served by nest-cluster with a secret (`ours`) or without (`plain`, and `traced` with tracing on but no
 * OpenTelemetry SDK), by @nestjs/microservices TCP (`nest`), or by a bare
 * net + msgpackr loop (`floor`). Reports `{ type: 'listening' }` over IPC when it serves.
 */
interface EchoSpec {
  readonly kind: 'ours' | 'plain' | 'traced' | 'nest' | 'floor';
  readonly port: number;
  /** `ours`: the calling node's port (both nodes are in each other's `nodes`). */
  readonly clientPort?: number;
}

const spec = JSON.parse(process.env.BENCH_ECHO ?? '{}') as EchoSpec;
const stops: (() => Promise<void> | void)[] = [];

if (spec.kind === 'ours' || spec.kind === 'plain' || spec.kind === 'traced') {
  const { createCluster } = await import('nest-cluster');
  const cluster = createCluster({
    mode: 'cluster',
    nodeName: 'server',
    nodes: [
      { name: 'server', ip: '127.0.0.1', port: spec.port },
      { name: 'client', ip: '127.0.0.1', port: spec.clientPort! },
    ],
    // `ours` seals every frame (secret mode); `plain` is the loopback-only mode without a secret.
    secret: spec.kind === 'ours' ? 'bench-secret-0123456789' : undefined,
    logger: false,
  });
  // `traced`: as `plain`, with tracing enabled and no OpenTelemetry SDK registered.
  if (spec.kind === 'traced') (await import('nest-cluster/tracing')).enableClusterTracing(cluster);
  cluster.registerFunc('echo', (param: unknown) => param);
  await cluster.startUp();
  stops.push(() => cluster.close());
} else if (spec.kind === 'nest') {
  const { nestEchoServer } = await import('./nest-echo.js');
  const app = await nestEchoServer(spec.port);
  stops.push(() => app.close());
} else {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    onFrames(socket, (frame) => writeFrame(socket, frame));
  });
  await new Promise<void>((resolve) => server.listen(spec.port, '127.0.0.1', resolve));
  stops.push(() => void server.close());
}

process.send?.({ type: 'listening' });
process.on('SIGTERM', async () => {
  for (const stop of stops) await stop();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
