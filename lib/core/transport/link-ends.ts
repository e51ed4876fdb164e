import type { Clock } from '../clock.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { LinkEnd, PeerLink } from './peer-link.js';
import type { RefusalReason } from './protocol.js';
import type { ConnectionStats } from './transport-types.js';
import type { ViolationLog } from './violation-log.js';

const REFUSAL_LOG_EVERY_MS = 30_000;

const REFUSAL_HINTS: Record<RefusalReason, string> = {
  'auth-failed': 'the secrets differ; set the same `secret` on every node',
  'version-mismatch': 'it runs another protocol version; run the same nest-cluster version on every node',
  'cluster-mismatch': 'its node list differs from this one; give every node the same `nodes`',
  'unknown-node': 'it does not know this node by that name, or another node answers at that address',
  'identity-mismatch': "this node's certificate does not name it; the certificate must name the node",
};

/** Issue #12: the refused side names the peer it dialled and the address, and what to fix. */
function refusalLine(selfName: string, link: PeerLink, reason: RefusalReason): string {
  const who = link.dialled !== undefined ? `"${link.dialled}" at ${link.remote}` : `the node at ${link.remote}`;
  return `Node "${selfName}" was refused by ${who} (${reason}): ${REFUSAL_HINTS[reason]}`;
}

/**
 * Counts every way a connection can end, and says in the log the ones an operator must see:
 * a violation, with the reason and the remote named (DESIGN §6: a counted disconnect naming the
 * remote); a bug of ours handling a message; a peer that stopped reading.
 */
export class LinkEnds {
  readonly counts = {
    accepted: 0, dialled: 0, dialFailures: 0, established: 0, idleDropped: 0, stalledDropped: 0, replaced: 0, retired: 0, closed: 0,
  };
  private readonly refusals: RateLimitedLog;

  constructor(
    private readonly violations: ViolationLog,
    private readonly logger: ClusterLogger,
    private readonly selfName: string,
    clock: Clock,
  ) {
    // Every re-dial is refused again while a setting differs: one line per reason per interval.
    this.refusals = new RateLimitedLog((line) => logger.warn(line), clock, REFUSAL_LOG_EVERY_MS);
  }

  snapshot(): Omit<ConnectionStats, 'lookupFailures'> {
    // Every refusal is reported to the rate-limited log, which counts them all, logged or not.
    return { ...this.counts, refused: this.refusals.count };
  }

  record(link: PeerLink, end: LinkEnd): void {
    const who = link.peer ? `"${link.peer}"` : link.remote;
    switch (end.kind) {
      case 'violation':
        this.violations.record(end.reason, end.detail, link.peer ? `"${link.peer}" (${link.remote})` : link.remote);
        return;
      case 'refused':
        // Keyed by the peer dialled (inbound refusals share one key: strangers must not grow the map).
        this.refusals.report(`${link.dialled ?? ''}/${end.reason}`, refusalLine(this.selfName, link, end.reason));
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
      case 'retired':
        this.counts.retired++;
        return;
      case 'closed':
        if (link.peer !== undefined) this.counts.closed++;
        return;
      case 'shutdown':
        return;
    }
  }
}
