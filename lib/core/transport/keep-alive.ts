import { encodeFrame } from './frame-codec.js';
import type { ConnectionOptions } from './transport-types.js';

export const PING_FRAME = encodeFrame({ type: 'ping' });
export const PONG_FRAME = encodeFrame({ type: 'pong' });

/**
 * How long a link may go without sending before it pings: T/3 (at least half a heartbeat). Every
 * ping is a wake-up and syscalls on both ends, and with two links per pair of nodes they were most
 * of an idle follower's CPU when sent every heartbeat. A crashed peer is noticed by its closed
 * connection, not by pings; pings only keep healthy links inside the idle deadline T.
 */
export function keepAliveMs(options: Pick<ConnectionOptions, 'electionTimeoutMs' | 'heartbeatIntervalMs'>): number {
  return Math.max(options.heartbeatIntervalMs / 2, options.electionTimeoutMs / 3);
}
