import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterService } from './cluster.service.js';

/** How long after bootstrap the check waits for shutdown hooks enabled late (after `listen()`). */
export const SHUTDOWN_HOOKS_GRACE_MS = 'cluster:shutdown-hooks-grace-ms';

/**
 * Issue #12 item 3: without `app.enableShutdownHooks()` a deploy's SIGTERM kills the process
 * before `close()` runs, so every rolling deploy is a crash failover and `@OnStoppedLeading`
 * never runs. Nothing failed loudly; this says so once.
 *
 * How it is detected: `enableShutdownHooks()` registers its handler with `process.on(signal, …)`,
 * in Nest 11 (the handler kept in `shutdownCleanupRef`, signals in `activeShutdownSignals`) and in
 * Nest 12 (`shutdownCleanupRefs`) alike. Those fields are private and have changed between majors,
 * and a provider cannot reach the application object anyway, so the check reads what they all
 * share: whether the process has a SIGTERM listener, the signal orchestrators send (Kubernetes,
 * Docker, systemd). An application that handles SIGTERM itself and calls `app.close()` passes too.
 * Apps often enable the hooks after `await app.listen()`, which is after bootstrap: a missing
 * listener is looked for once more after a grace period before the warning.
 */
@Injectable()
export class ShutdownHooksCheck implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: ClusterService,
    @Inject(SHUTDOWN_HOOKS_GRACE_MS) private readonly graceMs: number,
  ) {}

  onApplicationBootstrap(): void {
    const { mode, phase } = this.cluster.getStats();
    // Single mode has nobody to hand over to, and a disabled cluster nothing to stop.
    if (mode === 'single' || phase === 'disabled') return;
    if (this.check(false)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.cluster.isClose()) this.check(true);
    }, this.graceMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(final: boolean): boolean {
    const handled = process.listenerCount('SIGTERM') > 0;
    if (handled) {
      this.cluster.logger.debug?.('Shutdown hooks: SIGTERM is handled, so a deploy hands leadership over.');
    } else if (final) {
      this.cluster.logger.warn(
        'No SIGTERM handler after the application started: call app.enableShutdownHooks() in main.ts. ' +
          'Without it a deploy kills this node without handing leadership over (a crash failover for the ' +
          'cluster), and @OnStoppedLeading never runs.',
      );
    }
    return handled;
  }
}
