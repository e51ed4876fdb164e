import { createTraceState, ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { TraceContext } from '../core/instrumentation/instrumentation.js';

/** A span's context as W3C Trace Context (version 00), the form a call body carries. */
export function toTraceContext(span: SpanContext): TraceContext {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
  const tracestate = span.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The remote parent a served call continues. The core checked `traceparent`'s form
 * (call-protocol.ts); without one the call starts a new trace (W3C Trace Context §3.2.2).
 */
export function remoteParent(traceContext: TraceContext | undefined): Context {
  if (!traceContext) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = traceContext.traceparent.split('-');
  const parent: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: Number.parseInt(flags!, 16),
    isRemote: true,
    traceState: traceContext.tracestate ? createTraceState(traceContext.tracestate) : undefined,
  };
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}
