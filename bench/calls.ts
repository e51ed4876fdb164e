import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { pack } from 'msgpackr';
import { createCluster, newFuncSpec, type Cluster } from 'nest-cluster';
import { enableClusterTracing } from 'nest-cluster/tracing';
import { firstValueFrom } from 'rxjs';
import { sleep } from './support/clock.js';
import type { BenchOptions } from './support/options.js';
import { onFrames, writeFrame } from './support/framing.js';
import { freePorts, nextMessage, nodeScript, startChild, stopChild } from './support/processes.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';
import { target } from './support/targets.js';

type Kind = 'ours' | 'plain' | 'traced' | 'nest' | 'floor';
type Call = (payload: unknown) => Promise<unknown>;

interface Client {
  call: Call;
  close(): Promise<void>;
}

interface Cell {
  readonly kind: Kind;
  readonly payload: string;
  readonly inFlight: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const KINDS: Kind[] = ['ours', 'plain', 'traced', 'nest', 'floor'];
const LABEL: Record<Kind, string> = {
  ours: 'nest-cluster `callFunc`, secret (sealed frames)',
  plain: 'nest-cluster `callFunc`, no secret',
  traced: 'nest-cluster `callFunc`, no secret, tracing on, no SDK',
  nest: '@nestjs/microservices TCP',
  floor: 'net + msgpackr (floor)',
};

/** The same payloads for all three: a small record, and one carrying a 64 KiB string. */
const PAYLOADS = {
  '~100 B': { id: 42, name: 'report-job', tags: ['alpha', 'beta', 'gamma'], at: 1_732_500_000_000, ok: true, note: 'x'.repeat(32) },
  '64 KiB': { id: 42, data: randomBytes(48 * 1024).toString('base64') },
};

/**
 * Remote calls, server in a child process, client in this one: calls/s and latency of `echo`
 * through nest-cluster, @nestjs/microservices TCP and a bare net + msgpackr loop, with 1 and
 * with 64 calls in flight, for a small and a 64 KiB payload.
 */
export async function callsBench(options: BenchOptions): Promise<void> {
  const warmupMs = options.smoke ? 50 : 200;
  const measureMs = options.smoke ? 200 : 700;
  const rounds = options.smoke ? 1 : 3;
  // BENCH_CALLS_ONLY=ours runs one transport alone, say under `node --cpu-prof`; plain,floor runs two.
  const only = process.env.BENCH_CALLS_ONLY?.split(',');
  const kinds = KINDS.filter((k) => !only || only.includes(k));
  // BENCH_CALLS_PAYLOAD ('~100 B' or '64 KiB') and BENCH_CALLS_IN_FLIGHT (1 or 64) run one cell's row or column, to profile it alone.
  const payloads = Object.entries(PAYLOADS).filter(([name]) => !process.env.BENCH_CALLS_PAYLOAD || process.env.BENCH_CALLS_PAYLOAD === name);
  const inFlights = [1, 64].filter((n) => !process.env.BENCH_CALLS_IN_FLIGHT || Number(process.env.BENCH_CALLS_IN_FLIGHT) === n);
  const opened = new Map<Kind, Awaited<ReturnType<typeof open>>>();
  const cells: Cell[] = [];
  try {
    for (const kind of kinds) opened.set(kind, await open(kind));
    for (const [payloadName, payload] of payloads) {
      for (const inFlight of inFlights) {
        // Rounds alternate the transports, so a noisy neighbour hits all of them alike.
        const runs = new Map<Kind, { rates: number[]; latencies: number[] }>(kinds.map((k) => [k, { rates: [], latencies: [] }]));
        for (let round = 0; round < rounds; round++) {
          for (const kind of kinds) {
            const { call } = opened.get(kind)!.client;
            await drive(call, payload, inFlight, warmupMs);
            const { perSecond, latencies } = await drive(call, payload, inFlight, measureMs);
            runs.get(kind)!.rates.push(perSecond);
            // Not push(...latencies): a turn of over ~120k calls exceeds the argument limit (a RangeError).
            for (const latency of latencies) runs.get(kind)!.latencies.push(latency);
          }
        }
        for (const [kind, run] of runs) {
          const s = summarize(run.latencies);
          cells.push({ kind, payload: payloadName, inFlight, perSecond: summarize(run.rates).p50, p50: s.p50, p99: s.p99 });
        }
      }
    }
  } finally {
    for (const { client, stop } of opened.values()) {
      await client.close();
      await stop();
    }
  }
  cells.sort((a, b) => a.payload.localeCompare(b.payload) || a.inFlight - b.inFlight || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  const report = new Report('calls', 'Remote calls: nest-cluster (secret / no secret / tracing without SDK) vs @nestjs/microservices TCP vs net + msgpackr', options.out);
  report.add(
    table(
      ['payload', 'in flight', 'transport', 'calls/s', 'p50 µs', 'p99 µs', '× Nest TCP', '× floor'],
      cells.map((c) => {
        const same = (kind: Kind) => cells.find((o) => o.kind === kind && o.payload === c.payload && o.inFlight === c.inFlight);
        const ratio = (kind: Kind) => fmt(c.perSecond / (same(kind)?.perSecond ?? Number.NaN), 2);
        return [
          c.payload,
          String(c.inFlight),
          LABEL[c.kind],
          fmt(c.perSecond, 0),
          fmt(c.p50 * 1000, 0),
          fmt(c.p99 * 1000, 0),
          ratio('nest'),
          ratio('floor'),
        ];
      }),
    ),
  );
  const rate = (kind: Kind, payload: string, inFlight: number) =>
    cells.find((c) => c.kind === kind && c.payload === payload && c.inFlight === inFlight)?.perSecond ?? Number.NaN;
  if (kinds.length === KINDS.length && payloads.length === Object.keys(PAYLOADS).length && inFlights.length === 2) {
    const lines = ['Targets (ratios of calls/s):'];
    for (const payload of Object.keys(PAYLOADS)) {
      lines.push(target(`${payload}, 64 in flight, no secret × Nest TCP`, rate('plain', payload, 64) / rate('nest', payload, 64), 1.5, 'at least', '', 2));
      lines.push(target(`${payload}, 64 in flight, no secret × floor`, rate('plain', payload, 64) / rate('floor', payload, 64), 0.9, 'at least', '', 2));
      lines.push(target(`${payload}, sequential, no secret × floor`, rate('plain', payload, 1) / rate('floor', payload, 1), 0.9, 'at least', '', 2));
      // Issue #15: 0.9× the floor and 1.5× Nest TCP; sealed frames (secret mode, issue #10) at 0.75× the floor or better, beside plaintext.
      lines.push(target(`${payload}, 64 in flight, sealed × floor`, rate('ours', payload, 64) / rate('floor', payload, 64), 0.75, 'at least', '', 2));
      lines.push(target(`${payload}, 64 in flight, sealed × no secret`, rate('ours', payload, 64) / rate('plain', payload, 64), 0.75, 'at least', '', 2));
      // Issue #12: tracing enabled without an OpenTelemetry SDK costs one check per call and served call.
      for (const inFlight of [1, 64]) {
        lines.push(target(`${payload}, ${inFlight} in flight, tracing on without SDK × no secret`, rate('traced', payload, inFlight) / rate('plain', payload, inFlight), 0.95, 'at least', '', 2));
      }
    }
    report.add(lines.join('\n'));
  }
  const small = Buffer.byteLength(pack(PAYLOADS['~100 B']));
  report.add(
    `Each cell: ${rounds} round(s), the transports taking turns; each turn ${warmupMs} ms warm-up, then ` +
      `${measureMs} ms of calls. calls/s is the median turn, p50/p99 over every call of the cell. ` +
      `"In flight" calls are kept outstanding ` +
      `on one connection. The server runs in a child process, the client in the bench process. Payloads: ` +
      `a small record (${small} B as msgpack) and a record with a 64 KiB string; \`echo\` returns its parameter.`,
  );
  report.save();
}

/** Runs `inFlight` call loops for `durationMs`; latencies in ms. */
async function drive(call: Call, payload: unknown, inFlight: number, durationMs: number) {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + durationMs;
  let done = 0;
  const loop = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await call(payload);
      latencies.push(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return { perSecond: done / ((performance.now() - started) / 1000), latencies };
}

async function open(kind: Kind): Promise<{ client: Client; stop: () => Promise<void> }> {
  const [port, clientPort] = await freePorts(2);
  const child = startChild(nodeScript('echo-server'), { BENCH_ECHO: JSON.stringify({ kind, port, clientPort }) });
  await nextMessage(child, (m: { type: string }) => (m.type === 'listening' ? true : undefined), 30_000, `the ${kind} echo server`);
  const stop = () => stopChild(child, 'SIGTERM');
  try {
    const client =
      kind === 'nest' ? await nestClient(port!) : kind === 'floor' ? await floorClient(port!) : await oursClient(port!, clientPort!, kind);
    return { client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function oursClient(port: number, clientPort: number, kind: 'ours' | 'plain' | 'traced'): Promise<Client> {
  const cluster: Cluster = createCluster({
    mode: 'cluster',
    nodeName: 'client',
    nodes: [
      { name: 'server', ip: '127.0.0.1', port },
      { name: 'client', ip: '127.0.0.1', port: clientPort },
    ],
    secret: kind === 'ours' ? 'bench-secret-0123456789' : undefined,
    logger: false,
  });
  // No OpenTelemetry SDK is registered in the bench: what tracing costs an app that has none.
  if (kind === 'traced') enableClusterTracing(cluster);
  await cluster.startUp();
  const call: Call = (payload) => cluster.callFunc(newFuncSpec('server', 'echo', payload, 10_000));
  // The first dial may still be in its handshake.
  for (let i = 0; ; i++) {
    try {
      await call(1);
      break;
    } catch (error) {
      if (i > 200) throw error;
      await sleep(20);
    }
  }
  return { call, close: () => cluster.close() };
}

async function nestClient(port: number): Promise<Client> {
  const proxy: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
  await proxy.connect();
  return { call: (payload) => firstValueFrom(proxy.send('echo', payload)), close: async () => proxy.close() };
}

async function floorClient(port: number): Promise<Client> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  onFrames(socket, (frame) => {
    const { id, value } = frame as { id: number; value: unknown };
    const resolve = pending.get(id);
    pending.delete(id);
    resolve?.(value);
  });
  return {
    call: (value) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        writeFrame(socket, { id, value });
      }),
    close: async () => void socket.destroy(),
  };
}
