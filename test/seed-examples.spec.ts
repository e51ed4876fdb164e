/**
 * The Go package's user guide, example by example, rewritten for this module: each test is one
 * section of the guide and asserts what it promises.
 */
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClusterFunction,
  ClusterModule,
  ClusterService,
  createCluster,
  DefaultCaller,
  DefaultJobTracker,
  newAsyncFuncSpec,
  newFuncSpec,
  type Cluster,
  type JobTracker,
} from 'nest-cluster';
import { freePorts } from './helpers/ports.js';
import { SECRET } from './helpers/raft-cluster.js';
import { waitFor } from './helpers/wait-for.js';

const closers: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!.close();
});

async function singleCluster(): Promise<Cluster> {
  const cluster = createCluster({ mode: 'single', enable: 'true', nodeName: 'node1', logger: false });
  closers.push(cluster);
  await cluster.startUp();
  return cluster;
}

describe('the guide, section by section', () => {
  it('快速开始 2 (single mode): the process is the leader once started', async () => {
    const c = await singleCluster();
    await waitFor(() => c.isReady());
    expect(c.isLeader()).toBe(true);
    expect(c.getLeaderName()).toBe('node1');
  });

  it('注册函数 / 同步调用 / 异步调用: register, call and collect results', async () => {
    const c = await singleCluster();
    c.registerFunc('processData', (data: string) => `处理结果: ${data}`);

    const sync = newFuncSpec('node1', 'processData', 'test data', 3000).setTraceId('trace-123');
    await expect(c.callFunc(sync)).resolves.toBe('处理结果: test data');

    const async = newAsyncFuncSpec('node1', 'processData', 'async data', 3000);
    await expect(c.callFunc(async)).resolves.toBeUndefined();
    await async.done;
    expect(async.getResult()).toBe('处理结果: async data');
  });

  it('自定义 JobTracker: all four callbacks fire around a leadership', async () => {
    const c = await singleCluster();
    const calls: string[] = [];
    const tracker: JobTracker = {
      name: 'MyJobTracker',
      onStartedLeading: () => void calls.push('OnStartedLeading'),
      onStoppedLeading: () => void calls.push('OnStoppedLeading'),
      onNewLeader: (leader) => void calls.push(`OnNewLeader:${leader}`),
      onReleaseMaster: () => void calls.push('OnReleaseMaster'),
    };
    c.addJobTracker(tracker);
    closers.pop();
    await c.close();
    expect(calls).toEqual(['OnStartedLeading', 'OnNewLeader:node1', 'OnStoppedLeading', 'OnReleaseMaster']);
  });

  it('使用 DefaultJobTracker: MasterCall runs on the leader, SlaverCall does not', async () => {
    const c = await singleCluster();
    class MyCaller extends DefaultCaller {
      master = 0;
      slaver = 0;
      override masterCall() {
        this.master++;
      }
      override slaverCall() {
        this.slaver++;
      }
    }
    const caller = new MyCaller();
    const tracker = new DefaultJobTracker({ ms: 10 }, c, caller).start();
    closers.push(tracker);
    await waitFor(() => caller.master >= 3, { what: 'three MasterCall runs' });
    expect(caller.slaver).toBe(0);
  });

  it('Q5 如何监控集群状态: the monitoring calls answer consistently', async () => {
    const c = await singleCluster();
    expect(c.isReady()).toBe(true);
    expect([c.getLeaderName(), c.getMyTerm(), c.getAliveNodeCount(), c.getAllNodeCount()]).toEqual(['node1', 1, 1, 1]);
    expect(c.getLostNodeNames()).toEqual([]);
  });
});

describe('完整示例: the complete example as a Nest app', () => {
  @Injectable()
  class BusinessCaller extends DefaultCaller {
    log: string[] = [];
    override onStartedLeading() {
      this.log.push('我成为了主节点！');
    }
    override masterCall() {
      this.log.push('执行主节点任务');
    }
    @ClusterFunction('hello')
    hello(name: string) {
      return `Hello, ${name}!`;
    }
  }

  @Injectable()
  class Wiring {
    readonly tracker: DefaultJobTracker;
    constructor(cluster: ClusterService, caller: BusinessCaller) {
      this.tracker = new DefaultJobTracker({ ms: 10 }, cluster, caller).start();
    }
  }

  it('elects itself, runs the business caller and answers hello', async () => {
    const app: INestApplicationContext = await (
      await Test.createTestingModule({
        imports: [ClusterModule.forRoot({ mode: 'single', nodeName: 'node1', logger: false })],
        providers: [BusinessCaller, Wiring],
      }).compile()
    ).init();
    closers.push(app);
    const cluster = app.get(ClusterService);
    await cluster.waitForLeader(5000);
    const caller = app.get(BusinessCaller);
    await waitFor(() => caller.log.includes('执行主节点任务'));
    expect(caller.log[0]).toBe('我成为了主节点！');
    await expect(cluster.callFunc(newFuncSpec('node1', 'hello', 'World', 3000))).resolves.toBe('Hello, World!');
  });
});

describe('完整示例 in cluster mode: the complete example as three Nest apps', () => {
  @Injectable()
  class BusinessCaller extends DefaultCaller {
    masterCalls = 0;
    slaverLeaders: string[] = [];
    override masterCall() {
      this.masterCalls++;
    }
    override slaverCall(leaderName: string) {
      this.slaverLeaders.push(leaderName);
    }
    @ClusterFunction('hello')
    hello(name: string) {
      return `Hello, ${name}!`;
    }
  }

  @Injectable()
  class Wiring {
    constructor(cluster: ClusterService, caller: BusinessCaller) {
      new DefaultJobTracker({ ms: 20 }, cluster, caller).start();
    }
  }

  it('elects one leader, runs MasterCall only there, and the leader calls hello on node2', async () => {
    const ports = await freePorts(3);
    const nodes = ['node1', 'node2', 'node3'].map((name, i) => ({ name, ip: '127.0.0.1', port: ports[i]! }));
    const apps = await Promise.all(
      nodes.map(async ({ name }) => {
        const moduleRef = await Test.createTestingModule({
          imports: [ClusterModule.forRoot({ mode: 'cluster', nodes, nodeName: name, electionTimeoutMs: 300, secret: SECRET, logger: false })],
          providers: [BusinessCaller, Wiring],
        }).compile();
        const app = await moduleRef.init();
        closers.push(app);
        return app;
      }),
    );
    const clusters = apps.map((app) => app.get(ClusterService));
    const leaderNode = await clusters[0]!.waitForLeader(15_000);
    await Promise.all(clusters.map((c) => c.waitForLeader(15_000)));
    const leader = clusters.find((c) => c.getMyName() === leaderNode.name)!;
    expect(leader.isLeader()).toBe(true);
    const leaderApp = apps[clusters.indexOf(leader)]!;
    await waitFor(() => leaderApp.get(BusinessCaller).masterCalls >= 2, { what: 'MasterCall on the leader' });
    const followerApps = apps.filter((a) => a !== leaderApp);
    await waitFor(() => followerApps.every((a) => a.get(BusinessCaller).slaverLeaders.includes(leaderNode.name)), {
      what: 'SlaverCall on the followers',
    });
    expect(followerApps.map((a) => a.get(BusinessCaller).masterCalls)).toEqual([0, 0]);
    const target = leaderNode.name === 'node2' ? 'node3' : 'node2';
    await expect(leader.callFunc(newFuncSpec(target, 'hello', 'World', 3000))).resolves.toBe('Hello, World!');
  });
});
