import type { RaftMessage } from './messages.js';

const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const isTerm = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isDuration = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Fields each message type must carry beyond the envelope, and their checks. */
const FIELDS: Record<RaftMessage['type'], Record<string, (v: unknown) => boolean>> = {
  PreVote: {},
  PreVoteResponse: { granted: isBool },
  Vote: { transfer: isBool },
  VoteResponse: { granted: isBool, sinceLeaderMs: isDuration },
  Heartbeat: { round: isTerm },
  HeartbeatResponse: { round: isTerm, eligible: (v) => v === undefined || isBool(v) },
  TimeoutNow: { released: isBool },
};

/**
 * Checks an election message from the wire before the state machine sees it. A peer passed the
 * handshake, but a bug or a version skew must cost it that message, never crash this node; the
 * sender must also be the node the connection authenticated, so no peer can speak for another.
 */
export function asRaftMessage(payload: unknown, from: string, to: string): RaftMessage | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const m = payload as Record<string, unknown>;
  const fields = typeof m.type === 'string' ? FIELDS[m.type as RaftMessage['type']] : undefined;
  if (!fields || !Object.hasOwn(FIELDS, m.type as string)) return undefined;
  if (m.from !== from || m.to !== to || !isName(m.from) || !isTerm(m.term)) return undefined;
  for (const [field, check] of Object.entries(fields)) if (!check(m[field])) return undefined;
  return m as unknown as RaftMessage;
}
