import { isIP, type LookupFunction } from 'node:net';
import type { Clock } from '../clock.js';
import type { ClusterLogger } from '../logger.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { dialLookup, systemLookup, type HostLookup } from './host-lookup.js';

/** A peer whose name keeps failing to resolve writes one line per this period, with the count held back. */
const LOG_EVERY_MS = 10_000;

/**
 * Issue #14: resolving peers' host names at every dial, and saying so when it fails: a warning
 * naming the node and its host, at most once per LOG_EVERY_MS per node, every failure counted.
 */
export class PeerLookups {
  private readonly log: RateLimitedLog;
  private readonly lookup: HostLookup;

  constructor(
    private readonly options: {
      readonly selfName: string;
      readonly lookup?: HostLookup | undefined;
      readonly handshakeTimeoutMs: number;
      readonly clock: Clock;
      readonly logger: ClusterLogger;
    },
  ) {
    this.lookup = options.lookup ?? systemLookup;
    this.log = new RateLimitedLog((line) => options.logger.warn(line), options.clock, LOG_EVERY_MS);
  }

  /** Failed lookups so far. */
  get failures(): number {
    return this.log.count;
  }

  /**
   * The `lookup` for one dial of `peer` at `host`, or undefined when `host` is an IP (nothing to
   * resolve). Half the handshake deadline goes to the lookup, the rest to connect and handshake.
   */
  forDial(peer: string, host: string, signal: AbortSignal): LookupFunction | undefined {
    if (isIP(host) !== 0) return undefined;
    return dialLookup(this.lookup, {
      timeoutMs: Math.max(1, Math.floor(this.options.handshakeTimeoutMs / 2)),
      signal,
      onFailure: (failure) =>
        this.log.report(
          peer,
          `Node "${this.options.selfName}" cannot resolve "${host}", the host of node "${peer}" (${failure.message}); ` +
            'dialling it again with backoff',
        ),
    });
  }
}
