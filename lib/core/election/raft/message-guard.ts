import { isNodeName } from '../../node-name.js';
import { isTerm, MAX_TERM } from '../term-ceiling.js';
import type { RaftMessage } from './messages.js';

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isDuration = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Fields each message type must carry beyond the envelope, and their checks. */
const FIELDS: Record<RaftMessage['type'], Record<string, (v: unknown) => boolean>> = {
  PreVote: {},
  PreVoteResponse: { granted: isBool, mutedForMs: (v) => v === undefined || (isDuration(v) && v >= 0) },
  Vote: { transfer: isBool },
  VoteResponse: { granted: isBool, sinceLeaderMs: isDuration },
  Heartbeat: { round: isCount },
  HeartbeatResponse: { round: isCount, eligible: (v) => v === undefined || isBool(v) },
  TimeoutNow: { released: isBool },
};

/** A message fit for the state machine, or why it is not. */
export type GuardResult = { message: RaftMessage; problem?: undefined } | { message?: undefined; problem: string };

/**
 * Checks an election message from the wire before the state machine sees it. A peer passed the
 * handshake, but a bug or a version skew must cost it that message, never crash this node; the
 * sender must also be the node the connection authenticated, so no peer can speak for another.
 */
export function asRaftMessage(payload: unknown, from: string, to: string): GuardResult {
  if (typeof payload !== 'object' || payload === null) return { problem: 'not a message object' };
  const m = payload as Record<string, unknown>;
  const type = typeof m.type === 'string' && Object.hasOwn(FIELDS, m.type) ? (m.type as RaftMessage['type']) : undefined;
  if (!type) return { problem: `unknown type ${JSON.stringify(m.type)?.slice(0, 40)}` };
  if (m.from !== from || !isNodeName(m.from)) return { problem: `a sender other than the authenticated "${from}"` };
  if (m.to !== to) return { problem: 'a receiver other than this node' };
  // DESIGN §6, issue #10 item 3: a term above the ceiling is malformed, so no message can raise a
  // term to where `term + 1` is no longer a term (term-ceiling.ts).
  if (!isTerm(m.term)) return { problem: `term ${String(m.term).slice(0, 40)} outside [0, ${MAX_TERM}]` };
  for (const [field, check] of Object.entries(FIELDS[type])) {
    if (!check(m[field])) return { problem: `a bad "${field}" in ${type}` };
  }
  return { message: m as unknown as RaftMessage };
}
