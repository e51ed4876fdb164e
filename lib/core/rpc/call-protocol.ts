import { ProtocolError } from '../errors.js';
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
  return { funcName: body.funcName, param: body.param, traceId: traceId ?? undefined };
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
