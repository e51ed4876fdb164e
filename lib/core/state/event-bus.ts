import { Subject, type Observable } from 'rxjs';
import type { ClusterEvent } from '../events.js';
import type { LeaderWork } from '../jobs/leader-work.js';
import { errorStack, errorText, type ClusterLogger } from '../logger.js';

/** An event as queued, with the leadership it began (for SignMaster). */
export interface QueuedEvent {
  readonly event: ClusterEvent;
  readonly work?: LeaderWork;
}

/**
 * Delivers events strictly in the order they were raised, to every listener. An event raised
 * while another is being delivered (a listener that closes the cluster, say) is queued behind it,
 * so no subscriber ever sees two events in a different order than another subscriber does.
 */
export class EventBus {
  private readonly queue: QueuedEvent[] = [];
  private delivering = false;
  private readonly subject = new Subject<ClusterEvent>();
  readonly events$: Observable<ClusterEvent> = this.subject.asObservable();

  constructor(
    private readonly listener: (queued: QueuedEvent) => void,
    private readonly logger: ClusterLogger,
  ) {}

  publish(queued: QueuedEvent): void {
    this.queue.push(queued);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        try {
          this.listener(next);
        } catch (error) {
          this.logger.error(`Dispatching ${next.event.type} failed: ${errorText(error)}`, errorStack(error));
        }
        this.subject.next(next.event);
      }
    } finally {
      this.delivering = false;
    }
  }

  complete(): void {
    this.subject.complete();
  }
}
