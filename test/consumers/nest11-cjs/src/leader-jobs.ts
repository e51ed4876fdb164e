import { Injectable } from '@nestjs/common';
import { MasterInterval, OnStartedLeading, type LeaderContext } from 'nest-cluster';

/** Work that only the leader does; the tests watch it happen. */
@Injectable()
export class LeaderJobs {
  startedLeadingInTerm: number | undefined;
  intervalRuns = 0;

  private startedLeading!: () => void;
  /** Resolves once this node has started leading. */
  readonly started = new Promise<void>((resolve) => (this.startedLeading = resolve));
  private ranOnce!: () => void;
  /** Resolves after the first run of the leader-only interval job. */
  readonly firstIntervalRun = new Promise<void>((resolve) => (this.ranOnce = resolve));

  @OnStartedLeading()
  onStartedLeading(context: LeaderContext): void {
    this.startedLeadingInTerm = context.term;
    this.startedLeading();
  }

  @MasterInterval({ ms: 50, runOnStart: true })
  refreshCache(): void {
    this.intervalRuns += 1;
    this.ranOnce();
  }
}
