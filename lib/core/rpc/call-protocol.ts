import { ProtocolError } from '../errors.js';
import type { TraceContext } from '../instrumentation/instrumentation.js';
import type { CallOutcome, WireError } from './function-runner.js';

/**
 * A remote call as it travels in a transport request's body (transport/protocol.ts carries the
 * id and the deadline). Bodies come from authenticated peers, and are still checked field by
 * field: a malformed one is a ProtocolError, which the transport counts as the peer's violation.
 */
export interface CallBody {
  readonly funcName: string;
  readonly param: unknown;
  readonly traceId: string | undefined;
  /** W3C trace context of the caller's span, sent only while a tracer is registered on the caller. */
  readonly traceContext?: TraceContext;
}

function malformed(what: string, field: string): never {
  throw new ProtocolError('malformed-message', `Malformed ${what}: bad field "${field}".`);
}

const isString = (v: unknown): v is string => typeof v === 'string';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseCallBody(body: unknown): CallBody {
  if (!isRecord(body)) malformed('call', 'body');
  if (!isString(body.funcName)) malformed('call', 'funcName');
  const traceId = body.traceId;
  if (traceId != null && !isString(traceId)) malformed('call', 'traceId');
  const traceContext = parseTraceContext(body.traceContext);
  return { funcName: body.funcName, param: body.param, traceId: traceId ?? undefined, ...(traceContext && { traceContext }) };
}

// W3C Trace Context §3.2: version 00 is exactly this; all-zero trace and parent ids are invalid.
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
// W3C Trace Context §3.3.1.1: at most 32 list members; 512 characters is what vendors must keep.
const MAX_TRACESTATE = 512;

/**
 * The field's shape is checked as the rest of the body is (a wrong type is the peer's violation);
 * a well-typed value that is not valid trace context is dropped, as W3C Trace Context §3.2.2 asks
 * of a receiver that cannot parse `traceparent`: the callee then starts a new trace.
 */
function parseTraceContext(value: unknown): TraceContext | undefined {
  if (value == null) return undefined;
  if (!isRecord(value) || !isString(value.traceparent)) malformed('call', 'traceContext');
  const tracestate = value.tracestate;
  if (tracestate != null && !isString(tracestate)) malformed('call', 'traceContext');
  if (!TRACEPARENT.test(value.traceparent)) return undefined;
  if (tracestate == null || tracestate === '' || tracestate.length > MAX_TRACESTATE) return { traceparent: value.traceparent };
  return { traceparent: value.traceparent, tracestate };
}

function isWireError(v: unknown): v is WireError {
  if (!isRecord(v)) return false;
  return isString(v.name) && isString(v.message) && (v.code == null || isString(v.code)) && (v.stack == null || isString(v.stack));
}

/** The response body of a call: its outcome, as `FunctionRunner.run` gave it on the callee. */
export function parseOutcome(body: unknown): CallOutcome {
  if (!isRecord(body)) malformed('call result', 'outcome');
  if (body.status === 'ok') return { status: 'ok', value: body.value };
  if (body.status === 'not-found') return { status: 'not-found' };
  if (body.status === 'error' && isWireError(body.error)) return { status: 'error', error: body.error };
  return malformed('call result', body.status === 'error' ? 'error' : 'status');
}
