import { createHash } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import type { NodeConfig } from '../node.js';

/** Bumped on any incompatible change to the messages below; peers must match exactly. */
export const PROTOCOL_VERSION = 4;

export const NONCE_BYTES = 32;

/** Node's largest timer; a longer one fires after 1 ms with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const PROOF_BYTES = 32;

/** First message each way: who is speaking, in which cluster, with a fresh challenge. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly version: number;
  /** `clusterIdentity()` of the sender's configured node list. */
  readonly cluster: string;
  readonly node: string;
  readonly nonce: Uint8Array;
  /**
   * 1 when the sender proves a shared secret, else 0. Issue #12: a node started without the secret
   * (or with it, among nodes without) is told so in the hello instead of failing later on a vague
   * message. Optional in parsing only so that a peer of another version reaches the version check.
   */
  readonly usesSecret?: 0 | 1;
}

/** HMAC-SHA256 proof that the sender holds the shared secret (handshake.ts). */
export interface AuthMessage {
  readonly type: 'auth';
  readonly proof: Uint8Array;
}

/** Keep-alive on an otherwise idle connection; answered with `pong`. */
export interface PingMessage {
  readonly type: 'ping';
}

export interface PongMessage {
  readonly type: 'pong';
}

/** An election message; the transport never looks inside `payload`. */
export interface RaftMessage {
  readonly type: 'raft';
  readonly payload: unknown;
}

/**
 * A request that expects one response: the transport matches the two by `id` and keeps the
 * deadline; what `body` means is the business of the layer above (rpc/ reads it as a call).
 */
export interface RequestMessage {
  readonly type: 'request';
  /** Unique among the sender's requests in flight; the `response` carries it back. */
  readonly id: number;
  /** The sender's deadline, relative; the receiver aborts the request's signal when it passes. */
  readonly timeoutMs: number;
  readonly body: unknown;
}

export interface ResponseMessage {
  readonly type: 'response';
  readonly id: number;
  readonly body: unknown;
}

/**
 * Why a node refused a connection during the handshake, sent once before it closes so the other
 * side can say in its log what to fix. Only these reasons are ever sent: each names a setting that
 * differs between the two nodes; garbage and timeouts are dropped without a word.
 */
export const REFUSAL_REASONS = ['auth-failed', 'version-mismatch', 'cluster-mismatch', 'unknown-node', 'identity-mismatch'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface RefuseMessage {
  readonly type: 'refuse';
  readonly reason: RefusalReason;
}

export type HandshakeMessage = HelloMessage | AuthMessage | RefuseMessage;
export type SessionMessage = PingMessage | PongMessage | RaftMessage | RequestMessage | ResponseMessage;
export type Message = HandshakeMessage | SessionMessage;

/**
 * Names the cluster by its configured node list (names and addresses, in any order), so nodes of
 * two different clusters refuse each other in the handshake even if one dials the other by mistake.
 */
export function clusterIdentity(nodes: readonly NodeConfig[]): string {
  const lines = nodes.map((n) => JSON.stringify([n.name, n.ip, n.port])).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

function malformed(type: string, field: string): never {
  throw new ProtocolError('malformed-message', `Malformed "${type}" message: bad field "${field}".`);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBytes = (length: number) => (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length === length;
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function check(type: string, m: Record<string, unknown>, field: string, ok: (v: unknown) => boolean): void {
  if (!ok(m[field])) malformed(type, field);
}

/**
 * Checks a decoded frame body and returns it as a Message. Anything else is a ProtocolError:
 * a peer that speaks something we do not understand is disconnected, never guessed at.
 */
export function parseMessage(body: unknown): Message {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('malformed-message', 'A message must be a map with a "type".');
  }
  const m = body as Record<string, unknown>;
  const type = m.type;
  switch (type) {
    case 'hello':
      check(type, m, 'version', Number.isSafeInteger);
      check(type, m, 'cluster', isString);
      check(type, m, 'node', isString);
      check(type, m, 'nonce', isBytes(NONCE_BYTES));
      check(type, m, 'usesSecret', (v) => v === undefined || v === 0 || v === 1);
      return {
        type, version: m.version as number, cluster: m.cluster as string, node: m.node as string, nonce: m.nonce as Uint8Array,
        ...(m.usesSecret === undefined ? {} : { usesSecret: m.usesSecret as 0 | 1 }),
      };
    case 'auth':
      check(type, m, 'proof', isBytes(PROOF_BYTES));
      return { type, proof: m.proof as Uint8Array };
    case 'refuse':
      check(type, m, 'reason', (v) => (REFUSAL_REASONS as readonly unknown[]).includes(v));
      return { type, reason: m.reason as RefusalReason };
    case 'ping':
    case 'pong':
      return { type };
    case 'raft':
      return { type, payload: m.payload };
    case 'request':
      check(type, m, 'id', isId);
      check(type, m, 'timeoutMs', isPositive);
      // Issue #9: the receiver arms a timer with it; clamp to what a timer can hold.
      return { type, id: m.id as number, timeoutMs: Math.min(m.timeoutMs as number, MAX_TIMER_MS), body: m.body };
    case 'response':
      check(type, m, 'id', isId);
      return { type, id: m.id as number, body: m.body };
    default:
      throw new ProtocolError('unknown-type', `Unknown message type ${String(typeof type === 'string' ? JSON.stringify(type) : typeof type).slice(0, 40)}.`);
  }
}
