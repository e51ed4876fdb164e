import { Injectable, Module, Scope, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClusterFunction,
  ClusterModule,
  ClusterService,
  MasterInterval,
  newFuncSpec,
  OnNewLeader,
  OnReleaseMaster,
  OnStartedLeading,
  OnStoppedLeading,
  SlaverInterval,
  type ClusterEvent,
  type ClusterModuleOptions,
  type LeaderContext,
} from 'nest-cluster';
import { activeResources, leakedSince } from '../helpers/handles.js';
import { memoryLogger } from '../helpers/clusters.js';
import { waitFor } from '../helpers/wait-for.js';

const single: ClusterModuleOptions = { mode: 'single', nodeName: 'solo', logger: false };
const apps: INestApplicationContext[] = [];

async function boot(imports: unknown[], providers: unknown[] = []) {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[], providers: providers as never[] }).compile();
  const app = await moduleRef.init();
  apps.push(app);
  return app;
}

afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

@Injectable()
class LeaderJobs {
  log: string[] = [];
  ticks = 0;
  context: LeaderContext | undefined;

  @OnStartedLeading()
  started(context: LeaderContext) {
    this.context = context;
    this.log.push(`started:${context.term}`);
  }

  @OnStoppedLeading()
  stopped() {
    this.log.push('stopped');
  }

  @OnNewLeader()
  newLeader(name: string) {
    this.log.push(`leader:${name}`);
  }

  @OnReleaseMaster()
  released() {
    this.log.push('released');
  }

  @MasterInterval({ ms: 10 })
  tick(context: LeaderContext) {
    if (context.signal.aborted) throw new Error('ran without leadership');
    this.ticks++;
  }

  @SlaverInterval({ ms: 10 })
  follow() {
    this.log.push('slaver-ran');
  }

  @ClusterFunction('processData')
  process(input: string) {
    return `processed: ${input}`;
  }
}

describe('ClusterModule.forRoot in single mode', () => {
  it('injects ClusterService by type (fails if decorator metadata is not emitted)', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly cluster: ClusterService) {}
    }
    expect(Reflect.getMetadata('design:paramtypes', Consumer)).toEqual([ClusterService]);
    const app = await boot([ClusterModule.forRoot(single)], [Consumer]);
    expect(app.get(Consumer).cluster).toBeInstanceOf(ClusterService);
  });

  it('leads at bootstrap and runs decorated hooks, leader intervals and functions', async () => {
    const app = await boot([ClusterModule.forRoot(single)], [LeaderJobs]);
    const cluster = app.get(ClusterService);
    const jobs = app.get(LeaderJobs);
    expect(cluster.isLeader()).toBe(true);
    expect(cluster.isReady()).toBe(true);
    expect(cluster.getLeaderName()).toBe('solo');
    await waitFor(() => jobs.ticks >= 3, { what: '@MasterInterval ticks' });
    expect(jobs.log).toEqual(['started:1', 'leader:solo']);
    await expect(cluster.callFunc(newFuncSpec('solo', 'processData', 'x'))).resolves.toBe('processed: x');
    const context = jobs.context!;
    await app.close();
    apps.pop();
    expect(context.signal.aborted).toBe(true);
    expect(jobs.log).toEqual(['started:1', 'leader:solo', 'stopped', 'released']);
  });

  it('app.close() waits for a running @MasterInterval job before the module goes down', async () => {
    @Injectable()
    class SlowJob {
      log: string[] = [];
      release: (() => void) | undefined;

      @MasterInterval({ ms: 10 }, { runOnStart: true })
      async run() {
        if (this.release) return;
        this.log.push('run started');
        await new Promise<void>((resolve) => (this.release = resolve));
        this.log.push('run ended');
      }

      @OnStoppedLeading()
      stopped() {
        this.log.push('stopped leading');
      }
    }
    const app = await boot([ClusterModule.forRoot({ ...single, shutdownTimeoutMs: 60_000 })], [SlowJob]);
    const job = app.get(SlowJob);
    await waitFor(() => job.release !== undefined, { what: 'the job to start' });
    let closed = false;
    const closing = app.close().then(() => void (closed = true));
    apps.pop();
    await waitFor(() => job.log.includes('stopped leading'), { what: 'StopMaster delivered' });
    expect(closed).toBe(false);
    job.release!();
    await closing;
    expect(job.log).toEqual(['run started', 'stopped leading', 'run ended']);
  });

  it('one throwing lifecycle hook does not keep the provider\'s other hooks from running', async () => {
    @Injectable()
    class TwoHooks {
      log: string[] = [];

      @OnStartedLeading()
      first() {
        throw new Error('first hook failed');
      }

      @OnStartedLeading()
      second() {
        this.log.push('second ran');
      }
    }
    const logger = memoryLogger();
    const app = await boot([ClusterModule.forRoot({ ...single, logger })], [TwoHooks]);
    await waitFor(() => app.get(TwoHooks).log.length > 0, { what: 'the second hook' });
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('TwoHooks.first failed'))).toBe(true);
  });

  it('is global by default: a feature module injects ClusterService without importing it', async () => {
    @Injectable()
    class Feature {
      constructor(readonly cluster: ClusterService) {}
    }
    @Module({ providers: [Feature], exports: [Feature] })
    class FeatureModule {}
    const app = await boot([ClusterModule.forRoot(single), FeatureModule]);
    expect(app.get(Feature).cluster.getMyName()).toBe('solo');
  });

  it('with isGlobal: false, only importing modules can inject ClusterService', async () => {
    @Injectable()
    class Outside {
      constructor(readonly cluster: ClusterService) {}
    }
    @Module({ providers: [Outside] })
    class NotImporting {}
    const moduleRef = Test.createTestingModule({ imports: [ClusterModule.forRoot({ ...single, isGlobal: false }), NotImporting] });
    await expect(moduleRef.compile()).rejects.toThrow(/ClusterService/);
  });

  it('delivers the seed events in order through events$', async () => {
    const events: ClusterEvent[] = [];
    @Injectable()
    class Watcher {
      constructor(cluster: ClusterService) {
        cluster.events$.subscribe((e) => events.push(e));
      }
    }
    const app = await boot([ClusterModule.forRoot(single)], [Watcher]);
    await app.close();
    apps.pop();
    expect(events.map((e) => e.type)).toEqual(['StartUp', 'SignMaster', 'StopMaster', 'ReleaseMaster', 'Close']);
    expect(events.every((e) => e.nodeName === 'solo')).toBe(true);
  });

  it('with enable: false, loads, starts nothing, never runs jobs and logs it once', async () => {
    const logger = memoryLogger();
    const app = await boot([ClusterModule.forRoot({ ...single, enable: 'false', logger })], [LeaderJobs]);
    const cluster = app.get(ClusterService);
    expect(cluster.isReady()).toBe(false);
    expect(cluster.isLeader()).toBe(false);
    // Never settles otherwise: a disabled cluster elects nobody, so it says so at once.
    await expect(cluster.waitForLeader(60_000)).rejects.toMatchObject({ code: 'ERR_CLUSTER_NOT_READY' });
    expect(app.get(LeaderJobs).log).toEqual([]);
    expect(logger.lines.filter((l) => /disabled/.test(l.message))).toHaveLength(1);
  });

  it('fails the boot when two providers declare the same @ClusterFunction', async () => {
    @Injectable()
    class A {
      @ClusterFunction('same') a() {}
    }
    @Injectable()
    class B {
      @ClusterFunction('same') b() {}
    }
    const moduleRef = await Test.createTestingModule({ imports: [ClusterModule.forRoot(single)], providers: [A, B] }).compile();
    await expect(moduleRef.init()).rejects.toThrow(/'same'\) is declared twice \(A\.a and B\.b\)/);
    await moduleRef.close();
  });

  it('fails the boot on bad options with one sentence naming the field', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'cluster', nodes: [{ name: 'a', ip: '127.0.0.1', port: 0 }] })],
    });
    await expect(moduleRef.compile()).rejects.toThrow(/`nodes\[0\]\.port`: 0 is out of range/);
  });

  it('warns about and skips request-scoped providers', async () => {
    const logger = memoryLogger();
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @MasterInterval(1) job() {}
    }
    await boot([ClusterModule.forRoot({ ...single, logger })], [PerRequest]);
    expect(logger.lines.some((l) => l.level === 'warn' && /PerRequest uses cluster decorators but is request/.test(l.message))).toBe(true);
  });

  it('leaves no timers or sockets behind after app.close()', async () => {
    const before = activeResources();
    const app = await Test.createTestingModule({ imports: [ClusterModule.forRoot(single)], providers: [LeaderJobs] })
      .compile()
      .then((m) => m.init());
    await waitFor(() => app.get(LeaderJobs).ticks >= 1);
    await app.close();
    expect(leakedSince(before)).toEqual({});
  });
});

describe('ClusterModule.forRootAsync', () => {
  @Injectable()
  class Settings {
    readonly nodeName = 'from-config';
  }
  @Module({ providers: [Settings], exports: [Settings] })
  class SettingsModule {}

  it('takes options from useFactory with inject and imports', async () => {
    const app = await boot([
      ClusterModule.forRootAsync({
        imports: [SettingsModule],
        inject: [Settings],
        useFactory: (s: Settings) => ({ mode: 'single', nodeName: s.nodeName, logger: false }),
      }),
    ]);
    expect(app.get(ClusterService).getMyName()).toBe('from-config');
  });

  it('takes options from useClass and useExisting', async () => {
    @Injectable()
    class OptionsFactory {
      createClusterOptions(): ClusterModuleOptions {
        return { mode: 'single', nodeName: 'by-class', logger: false };
      }
    }
    const byClass = await boot([ClusterModule.forRootAsync({ useClass: OptionsFactory })]);
    expect(byClass.get(ClusterService).getMyName()).toBe('by-class');

    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class FactoryModule {}
    const byExisting = await boot([
      ClusterModule.forRootAsync({ imports: [FactoryModule], useExisting: OptionsFactory }),
    ]);
    expect(byExisting.get(ClusterService).getMyName()).toBe('by-class');
  });
});
