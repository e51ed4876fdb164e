import { Injectable } from '@nestjs/common';
import { MasterInterval } from 'nest-cluster';

/** A job only the leader runs. */
@Injectable()
export class LeaderJobs {
  runs = 0;
  private ranOnce!: () => void;
  /** Resolves after the job's first run. */
  readonly firstRun = new Promise<void>((resolve) => (this.ranOnce = resolve));

  @MasterInterval({ ms: 50, runOnStart: true })
  sweep(): void {
    this.runs += 1;
    this.ranOnce();
  }
}
