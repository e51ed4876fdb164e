import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { ClusterInstrumentation, Ended, Observation } from '../core/instrumentation/instrumentation.js';
import { remoteParent, toTraceContext } from './trace-context.js';

/**
 * Attribute names from the OpenTelemetry RPC semantic conventions (RPC spans, the release after
 * v1.37: `rpc.system.name`, a fully qualified `rpc.method` that is also the span name,
 * `error.type` on failure, `server.address`/`server.port` on the client). The rest are ours,
 * under `nest_cluster.`.
 */
const RPC_SYSTEM = 'nest_cluster';

/** A span ended with the outcome of what it covered: status ERROR, `error.type` and the exception. */
function finish(span: Span, { outcome, error }: Ended<string>, rpc: boolean): void {
  if (rpc) span.setAttribute('rpc.response.status_code', outcome);
  if (outcome !== 'ok') {
    span.setAttribute('error.type', errorType(error, outcome));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) ?? outcome });
    if (error instanceof Error) span.recordException(error);
  }
  span.end();
}

function errorType(error: unknown, outcome: string): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (typeof name === 'string' && name !== '') return name;
  return outcome;
}

function errorMessage(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Work run inside a span: the span is the active one for everything the work starts. */
function observe<O extends string>(span: Span, parent: Context, rpc: boolean, extra: Partial<Observation<O>> = {}): Observation<O> {
  const active = trace.setSpan(parent, span);
  return {
    ...extra,
    run: (fn) => context.with(active, fn),
    end: (ended) => finish(span, ended, rpc),
  };
}

/**
 * The cluster's calls and leader-job runs as spans: CLIENT per call made, with its W3C trace
 * context sent in the call body; SERVER per call served, child of the caller's span; INTERNAL per
 * leader-job run. `tracer()` is asked at each start and `undefined` (no SDK) opens nothing.
 */
export function tracingHooks(tracer: () => Tracer | undefined): ClusterInstrumentation {
  return {
    callMade({ funcName, nodeName, peer }) {
      const t = tracer();
      if (!t) return undefined;
      const attributes: Attributes = { 'rpc.system.name': RPC_SYSTEM, 'rpc.method': funcName, 'nest_cluster.node': nodeName };
      if (peer) Object.assign(attributes, { 'server.address': peer.ip, 'server.port': peer.port });
      const parent = context.active();
      const span = t.startSpan(funcName, { kind: SpanKind.CLIENT, attributes }, parent);
      return observe(span, parent, true, { traceContext: toTraceContext(span.spanContext()) });
    },
    callServed({ funcName, callerNode, traceContext }) {
      const t = tracer();
      if (!t) return undefined;
      const parent = remoteParent(traceContext);
      const attributes: Attributes = { 'rpc.system.name': RPC_SYSTEM, 'rpc.method': funcName, 'nest_cluster.caller_node': callerNode };
      return observe(t.startSpan(funcName, { kind: SpanKind.SERVER, attributes }, parent), parent, true);
    },
    leaderJobRun({ job, term, scheduled }) {
      const t = tracer();
      if (!t) return undefined;
      // A scheduled run starts its own trace: its timer would otherwise carry the context it was
      // set in (the leadership's first callback) into every run. A @LeaderOnly method joins its caller's.
      const parent = scheduled ? ROOT_CONTEXT : context.active();
      const attributes: Attributes = { 'nest_cluster.job': job, 'nest_cluster.term': term };
      return observe(t.startSpan(job, { kind: SpanKind.INTERNAL, attributes }, parent), parent, false);
    },
  };
}
