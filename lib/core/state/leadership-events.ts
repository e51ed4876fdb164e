import { BehaviorSubject, type Observable } from 'rxjs';
import type { Clock } from '../clock.js';
import { NO_LEADER_VIEW, type ElectionView } from '../election/election-engine.js';
import { ClusterEventType, type ClusterEvent, type ClusterState, type Phase } from '../events.js';
import type { JobTrackerSet } from '../jobs/job-tracker-set.js';
import type { Leaderships } from '../jobs/leaderships.js';
import type { ClusterLogger } from '../logger.js';
import { EventBus, type QueuedEvent } from './event-bus.js';
import { eventsBetween } from './view-transitions.js';

/**
 * This node's state as the outside sees it: the engine's latest view and the lifecycle phase, the
 * seed events derived from successive views (DESIGN §3: in order, every SignMaster paired with one
 * StopMaster), `events$` and `state$`, and the trackers' callbacks those events trigger.
 */
export class LeadershipEvents {
  private current: ElectionView = NO_LEADER_VIEW;
  private currentPhase: Phase;
  private electionCount = 0;
  private leadershipCount = 0;
  private readonly bus: EventBus;
  private readonly stateSubject: BehaviorSubject<ClusterState>;

  /** Every cluster event, in order, as it happens (hot: no replay). */
  readonly events$: Observable<ClusterEvent>;
  /** This node's state; replays the latest to each new subscriber. */
  readonly state$: Observable<ClusterState>;

  constructor(
    private readonly selfName: string,
    enabled: boolean,
    private readonly clock: Clock,
    private readonly work: Leaderships,
    private readonly trackers: JobTrackerSet,
    logger: ClusterLogger,
  ) {
    this.currentPhase = enabled ? 'idle' : 'disabled';
    this.bus = new EventBus((queued) => this.dispatchToTrackers(queued), logger);
    this.events$ = this.bus.events$;
    this.stateSubject = new BehaviorSubject(this.snapshot());
    this.state$ = this.stateSubject.asObservable();
  }

  get view(): ElectionView {
    return this.current;
  }

  get phase(): Phase {
    return this.currentPhase;
  }

  get elections(): number {
    return this.electionCount;
  }

  get leaderships(): number {
    return this.leadershipCount;
  }

  /** The engine's report (ElectionHost.onViewChange): events from the difference of two views. */
  onViewChange(next: ElectionView): void {
    const prev = this.current;
    this.current = next;
    const types = eventsBetween(prev, next, this.selfName);
    for (const type of types) {
      let work;
      if (type === ClusterEventType.StopMaster) {
        // DESIGN §3: the signal aborts the moment leadership is lost, not when the event is handled.
        this.work.end();
      } else if (type === ClusterEventType.SignMaster) {
        work = this.work.begin(next.term, next.fencingToken);
        this.leadershipCount++;
      } else if (type === ClusterEventType.ElectionStart) {
        this.electionCount++;
      }
      // Teardown events describe what ended: the released leader, the term it led.
      const about = type === ClusterEventType.StopMaster || type === ClusterEventType.ReleaseMaster ? prev : next;
      this.publish(type, work, about);
    }
    if (types.length > 0 || prev.role !== next.role || prev.term !== next.term) {
      this.stateSubject.next(this.snapshot());
    }
  }

  publish(type: ClusterEventType, work?: QueuedEvent['work'], about: ElectionView = this.current): void {
    const event: ClusterEvent = {
      type,
      term: about.term,
      nodeName: this.selfName,
      leaderName: about.leaderName,
      at: new Date(this.clock.wallTime()),
    };
    this.bus.publish({ event, work });
  }

  setPhase(phase: Phase): void {
    this.currentPhase = phase;
    this.stateSubject.next(this.snapshot());
  }

  /** The last state (`closed`), then both streams complete. */
  finish(): void {
    this.currentPhase = 'closed';
    this.stateSubject.next(this.snapshot());
    this.stateSubject.complete();
    this.bus.complete();
  }

  private dispatchToTrackers({ event, work }: QueuedEvent): void {
    switch (event.type) {
      case ClusterEventType.SignMaster:
        if (work) this.trackers.startedLeading(work);
        this.trackers.newLeader(event.nodeName);
        break;
      case ClusterEventType.StopMaster:
        this.trackers.stoppedLeading();
        break;
      case ClusterEventType.ReleaseMaster:
        this.trackers.releaseMaster();
        break;
      case ClusterEventType.SignFollower:
        if (event.leaderName !== undefined) this.trackers.newLeader(event.leaderName);
        break;
    }
  }

  private snapshot(): ClusterState {
    return {
      phase: this.currentPhase,
      role: this.current.role,
      term: this.current.term,
      nodeName: this.selfName,
      leaderName: this.current.leaderName,
      isLeader: this.current.acting,
    };
  }
}
