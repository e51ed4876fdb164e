import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { LinkEnd, PeerLink } from './peer-link.js';
import type { ConnectionStats } from './transport-types.js';
import type { ViolationLog } from './violation-log.js';

/**
 * Counts every way a connection can end, and says in the log the ones an operator must see:
 * a violation, with the reason and the remote named (DESIGN §6: a counted disconnect naming the
 * remote); a bug of ours handling a message; a peer that stopped reading.
 */
export class LinkEnds {
  readonly counts = { accepted: 0, dialled: 0, dialFailures: 0, established: 0, idleDropped: 0, stalledDropped: 0, replaced: 0, closed: 0 };

  constructor(
    private readonly violations: ViolationLog,
    private readonly logger: ClusterLogger,
  ) {}

  snapshot(): Omit<ConnectionStats, 'lookupFailures'> {
    return { ...this.counts };
  }

  record(link: PeerLink, end: LinkEnd): void {
    const who = link.peer ? `"${link.peer}"` : link.remote;
    switch (end.kind) {
      case 'violation':
        this.violations.record(end.reason, end.detail, link.peer ? `"${link.peer}" (${link.remote})` : link.remote);
        return;
      case 'failed':
        this.logger.error(`Dropped the connection to ${who} after an error handling its message: ${errorText(end.error)}`, errorStack(end.error));
        return;
      case 'idle':
        this.counts.idleDropped++;
        return;
      case 'stalled':
        this.counts.stalledDropped++;
        this.logger.warn(`Dropped the connection to ${who}: it stopped reading (${end.queuedBytes} bytes queued).`);
        return;
      case 'replaced':
        this.counts.replaced++;
        return;
      case 'closed':
        if (link.peer !== undefined) this.counts.closed++;
        return;
      case 'shutdown':
        return;
    }
  }
}
