import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DefaultJobTracker } from '../../lib/core/jobs/default-job-tracker.js';
import { newFuncSpec } from '../../lib/core/rpc/func-spec.js';
import { createCluster } from '../../lib/create-cluster.js';
import { enableClusterTracing } from '../../lib/tracing/index.js';
import { RaftCluster } from '../helpers/raft-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let group: RaftCluster;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  group = await RaftCluster.start(['t1', 't2']);
  for (const [name, cluster] of group.clusters) {
    enableClusterTracing(cluster);
    cluster.registerFunc('echo', (value: unknown) => value);
    cluster.registerFunc('fail', () => {
      throw new TypeError(`bad input on ${name}`);
    });
    // Calls back the other node from inside a served call: that call is a child of this one.
    cluster.registerFunc('relay', (to: string) => cluster.callFunc(newFuncSpec(to, 'echo', `via ${name}`)));
  }
  await group.settled();
});

afterAll(async () => {
  await group.close();
  trace.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const spans = (filter: (s: ReadableSpan) => boolean = () => true) => exporter.getFinishedSpans().filter(filter);
const only = (filter: (s: ReadableSpan) => boolean) => {
  const found = spans(filter);
  expect(found, found.map((s) => s.name).join(', ')).toHaveLength(1);
  return found[0]!;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('spans of remote calls across two nodes', () => {
  it('a CLIENT span on the caller and a SERVER span on the callee share a trace, the server a child of the client', async () => {
    const t2 = group.nodes.find((n) => n.name === 't2')!;
    await expect(group.get('t1').callFunc(newFuncSpec('t2', 'echo', 1))).resolves.toBe(1);
    await waitFor(() => spans().length === 2, { what: 'two spans' });
    const client = only((s) => s.kind === SpanKind.CLIENT);
    const server = only((s) => s.kind === SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(parentOf(server)).toBe(client.spanContext().spanId);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    expect(client.name).toBe('echo');
    expect(client.attributes).toMatchObject({
      'rpc.system.name': 'nest_cluster',
      'rpc.method': 'echo',
      'server.address': '127.0.0.1',
      'server.port': t2.port,
      'nest_cluster.node': 't2',
      'rpc.response.status_code': 'ok',
    });
    expect(server.attributes).toMatchObject({ 'rpc.system.name': 'nest_cluster', 'rpc.method': 'echo', 'nest_cluster.caller_node': 't1' });
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('continues the trace of the span active where callFunc is called, and through calls made while serving', async () => {
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('request', async (request) => {
      await group.get('t1').callFunc(newFuncSpec('t2', 'relay', 't1'));
      request.end();
    });
    await waitFor(() => spans().length === 5, { what: 'request, relay client/server, echo client/server' });
    const request = only((s) => s.name === 'request');
    const relayClient = only((s) => s.name === 'relay' && s.kind === SpanKind.CLIENT);
    const relayServer = only((s) => s.name === 'relay' && s.kind === SpanKind.SERVER);
    const echoClient = only((s) => s.name === 'echo' && s.kind === SpanKind.CLIENT);
    const echoServer = only((s) => s.name === 'echo' && s.kind === SpanKind.SERVER);
    expect(new Set(spans().map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(parentOf(relayClient)).toBe(request.spanContext().spanId);
    expect(parentOf(relayServer)).toBe(relayClient.spanContext().spanId);
    expect(parentOf(echoClient)).toBe(relayServer.spanContext().spanId);
    expect(parentOf(echoServer)).toBe(echoClient.spanContext().spanId);
    expect(echoServer.attributes['nest_cluster.caller_node']).toBe('t2');
  });

  it('an error outcome sets ERROR status and error.type on both spans', async () => {
    await expect(group.get('t1').callFunc(newFuncSpec('t2', 'fail', null))).rejects.toThrow('bad input on t2');
    await expect(group.get('t1').callFunc(newFuncSpec('t2', 'missing', null))).rejects.toThrow(/missing/);
    await waitFor(() => spans().length === 4, { what: 'four spans' });
    const client = only((s) => s.name === 'fail' && s.kind === SpanKind.CLIENT);
    const server = only((s) => s.name === 'fail' && s.kind === SpanKind.SERVER);
    expect(client.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('bad input on t2') });
    expect(client.attributes).toMatchObject({ 'error.type': 'ERR_CLUSTER_REMOTE_FUNCTION', 'rpc.response.status_code': 'error' });
    expect(client.events.map((e) => e.name)).toEqual(['exception']);
    expect(server.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'bad input on t2' });
    expect(server.attributes).toMatchObject({ 'error.type': 'TypeError', 'rpc.response.status_code': 'error' });
    const missing = only((s) => s.name === 'missing' && s.kind === SpanKind.CLIENT);
    expect(missing.attributes).toMatchObject({ 'error.type': 'ERR_CLUSTER_FUNCTION_NOT_FOUND', 'rpc.response.status_code': 'not_found' });
  });
});

describe('spans of leader-job runs', () => {
  it('an INTERNAL span per run, with the job and term, ERROR when the run throws', async () => {
    const cluster = createCluster({ mode: 'single', logger: false });
    const tracing = enableClusterTracing(cluster);
    await cluster.startUp();
    let runs = 0;
    const ok = new DefaultJobTracker({ ms: 5 }, cluster, { masterCall: () => void runs++ }, { name: 'Report' }).start();
    const failing = new DefaultJobTracker({ ms: 5 }, cluster, {
      masterCall: async () => {
        throw new Error('job failed');
      },
    }, { name: 'Broken' }).start();
    await waitFor(() => runs >= 2 && spans((s) => s.name === 'Broken.masterCall').length >= 1, { what: 'job runs' });
    await ok.close();
    await failing.close();
    tracing.disable();
    await cluster.close();
    const run = spans((s) => s.name === 'Report.masterCall');
    expect(run).toHaveLength(runs);
    expect(run[0]!.kind).toBe(SpanKind.INTERNAL);
    expect(run[0]!.attributes).toMatchObject({ 'nest_cluster.job': 'Report.masterCall', 'nest_cluster.term': cluster.getStats().term });
    expect(run[0]!.status.code).toBe(SpanStatusCode.UNSET);
    const broken = spans((s) => s.name === 'Broken.masterCall')[0]!;
    expect(broken.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'job failed' });
  });

  it('a scheduled run starts its own trace; a @LeaderOnly call joins the span of its caller', async () => {
    const cluster = createCluster({ mode: 'single', logger: false });
    enableClusterTracing(cluster);
    await cluster.startUp();
    const tracer = trace.getTracer('test');
    let runs = 0;
    // The schedule is started inside a span, as it would be from a traced request.
    const tracker = await tracer.startActiveSpan('setup', async (setup) => {
      const started = new DefaultJobTracker({ ms: 5 }, cluster, { masterCall: () => void runs++ }, { name: 'Tick', runOnStart: true }).start();
      setup.end();
      return started;
    });
    await waitFor(() => runs >= 2, { what: 'two runs' });
    await tracker.close();
    await tracer.startActiveSpan('request', async (request) => {
      cluster.callAsLeader('Reports.digest', () => 'sent');
      request.end();
    });
    await cluster.close();
    const ticks = spans((s) => s.name === 'Tick.masterCall');
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const tick of ticks) expect(tick.parentSpanContext).toBeUndefined();
    expect(new Set(ticks.map((t) => t.spanContext().traceId)).size).toBe(ticks.length);
    const digest = only((s) => s.name === 'Reports.digest');
    expect(parentOf(digest)).toBe(only((s) => s.name === 'request').spanContext().spanId);
  });
});

describe('without an SDK', () => {
  it('makes no span and sends no trace context, and uses an SDK registered later', async () => {
    trace.disable();
    const c1 = group.get('t1');
    let seen: unknown = 'unset';
    group.get('t2').registerFunc('context', () => (seen = trace.getActiveSpan()));
    await c1.callFunc(newFuncSpec('t2', 'context', null));
    expect(seen).toBeUndefined();
    expect(spans()).toEqual([]);
    trace.setGlobalTracerProvider(provider);
    await c1.callFunc(newFuncSpec('t2', 'echo', 1));
    await waitFor(() => spans().length === 2, { what: 'spans once the SDK is back' });
  });
});
