import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClusterService, ClusterModule } from 'nest-cluster';
import { AppModule } from '../src/app.module.js';
import { LeaderJobs } from '../src/leader-jobs.js';

let app: INestApplication;
// node --test waits forever by default; a job that never runs must fail the test instead.
const deadline = { timeout: 15_000 };

before(async () => {
  process.env.CLUSTER_MODE = 'single';
  process.env.CLUSTER_TIMEOUT = '2';
  process.env.CLUSTER_NODE_NAME = 'esm-app';
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
});

after(() => app.close());

test('options come from ConfigService (strings from the environment) and the leader-only job runs', deadline, async () => {
  await app.get(LeaderJobs).firstRun;
  const cluster = app.get(ClusterService);
  assert.equal(cluster.isLeader(), true);
  assert.equal(cluster.getMyName(), 'esm-app');
});

test('GET /leader answers over HTTP from the leading node', deadline, async () => {
  await app.get(LeaderJobs).firstRun;
  const response = await fetch(`${await app.getUrl()}/leader`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { leader: string; isLeader: boolean; runs: number };
  assert.equal(body.leader, 'esm-app');
  assert.equal(body.isLeader, true);
  assert.ok(body.runs >= 1);
});

test('a require() of nest-cluster inside this ES module app gives the same classes as its import', () => {
  const required = createRequire(import.meta.url)('nest-cluster') as { ClusterService: unknown; ClusterModule: unknown };
  assert.equal(required.ClusterService, ClusterService);
  assert.equal(required.ClusterModule, ClusterModule);
});
