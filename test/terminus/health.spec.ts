import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterModule, ClusterService, type ClusterModuleOptions } from 'nest-cluster';
import { ClusterHealthIndicator } from '../../lib/terminus/index.js';
import { scriptedCluster } from '../helpers/clusters.js';
import { freePorts } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cluster: ClusterHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.cluster.isHealthy()]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.cluster.isHealthy('leader', { requireLeader: true })]);
  }
}

interface Served {
  readonly app: INestApplication;
  readonly cluster: ClusterService;
  get(path: string): Promise<{ status: number; body: any }>;
}

let apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
});

async function serve(options: ClusterModuleOptions): Promise<Served> {
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false }), ClusterModule.forRoot({ logger: false, ...options })],
    controllers: [HealthController],
    providers: [ClusterHealthIndicator],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableShutdownHooks();
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    cluster: app.get(ClusterService),
    async get(path) {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: await response.json() };
    },
  };
}

async function twoNodes(): Promise<[Served, Served]> {
  const ports = await freePorts(2);
  const nodes = [
    { name: 'n1', ip: '127.0.0.1', port: ports[0]! },
    { name: 'n2', ip: '127.0.0.1', port: ports[1]! },
  ];
  const served = await Promise.all(
    ['n1', 'n2'].map((nodeName) => serve({ mode: 'cluster', nodes, nodeName, electionTimeoutMs: 300 })),
  );
  await Promise.all(served.map((s) => s.cluster.waitForLeader(20_000)));
  return served as [Served, Served];
}

describe('ClusterHealthIndicator over a real /health endpoint', () => {
  it('is up on the leader and on a follower that knows it, with role, term, leader and nodes', async () => {
    const [a, b] = await twoNodes();
    const leader = a.cluster.isLeader() ? a : b;
    const follower = leader === a ? b : a;
    await waitFor(() => follower.cluster.getAliveNodeCount() === 2 && leader.cluster.getAliveNodeCount() === 2, {
      what: 'both nodes to see each other alive',
    });
    const term = leader.cluster.getMyTerm();
    const leaderName = leader.cluster.getMyName();

    const fromLeader = await leader.get('/health');
    expect(fromLeader.status).toBe(200);
    expect(fromLeader.body).toEqual({
      status: 'ok',
      info: {
        cluster: { status: 'up', state: 'leader', node: leaderName, role: 'leader', term, leader: leaderName, alive: ['n1', 'n2'], lost: [] },
      },
      error: {},
      details: {
        cluster: { status: 'up', state: 'leader', node: leaderName, role: 'leader', term, leader: leaderName, alive: ['n1', 'n2'], lost: [] },
      },
    });
    const fromFollower = await follower.get('/health');
    expect(fromFollower.status).toBe(200);
    expect(fromFollower.body.info.cluster).toEqual({
      status: 'up',
      state: 'follower',
      node: follower.cluster.getMyName(),
      role: 'follower',
      term,
      leader: leaderName,
      alive: ['n1', 'n2'],
      lost: [],
    });
    expect((await follower.get('/ready')).status).toBe(200);
  });

  it('keeps a follower without a leader up (no-leader), and down only where a leader is required', async () => {
    const [a, b] = await twoNodes();
    const leader = a.cluster.isLeader() ? a : b;
    const follower = leader === a ? b : a;
    await leader.app.close(); // one of two: no quorum is left to elect another
    apps = apps.filter((app) => app !== leader.app);
    const gone = leader.cluster.getMyName();
    await waitFor(
      () => follower.cluster.getLeaderName() === undefined && !follower.cluster.isReady() && follower.cluster.getLostNodeNames().includes(gone),
      { what: 'the follower to know no leader, and the leader lost' },
    );
    const health = await follower.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.info.cluster).toMatchObject({ status: 'up', state: 'no-leader', leader: null, lost: [gone] });
    const ready = await follower.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { leader: { status: 'down', state: 'no-leader', leader: null } } });
  });

  it('is down once the node left the cluster', async () => {
    const [port] = await freePorts(1);
    const solo = await serve({ mode: 'cluster', nodes: [{ name: 'solo', ip: '127.0.0.1', port: port! }], nodeName: 'solo' });
    await solo.cluster.waitForLeader(20_000);
    expect((await solo.get('/health')).body.info.cluster).toMatchObject({ status: 'up', state: 'leader', leader: 'solo' });
    await solo.cluster.close(); // the HTTP server still answers; the cluster does not
    const health = await solo.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.error.cluster).toEqual({
      status: 'down',
      state: 'closed',
      node: 'solo',
      role: 'follower',
      term: expect.any(Number),
      leader: null,
      alive: ['solo'],
      lost: [],
    });
  });

  it('is down when the node left the election on a failure', async () => {
    const { cluster, engine } = scriptedCluster();
    const indicator = new ClusterHealthIndicator(cluster as ClusterService, new HealthIndicatorService());
    await cluster.startUp();
    engine.set({ term: 3, leaderName: 'n2' });
    engine.ready = Number.POSITIVE_INFINITY;
    expect(indicator.isHealthy()).toMatchObject({ cluster: { status: 'up', state: 'follower', leader: 'n2', term: 3 } });
    engine.fail(new Error('disk full'));
    expect(indicator.isHealthy()).toMatchObject({ cluster: { status: 'down', state: 'failed', leader: null } });
    await cluster.close();
  });

  it('never serves a node that failed to start: the application does not boot', async () => {
    const [port] = await freePorts(1);
    // Not an address of this host: listening fails, and startUp() with it (ERR_CLUSTER_LISTEN).
    const options: ClusterModuleOptions = { mode: 'cluster', nodes: [{ name: 'solo', ip: '192.0.2.1', port: port! }], nodeName: 'solo', insecure: true };
    await expect(serve(options)).rejects.toMatchObject({ code: 'ERR_CLUSTER_LISTEN' });
  });
});
