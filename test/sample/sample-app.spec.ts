import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../sample/app.module.js';
import { JobsService } from '../../sample/jobs.service.js';
import { waitFor } from '../helpers/wait-for.js';

describe('the sample app', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  it('reports its cluster view on GET /cluster', async () => {
    const body = await (await fetch(`${url}/cluster`)).json();
    expect(body).toEqual({ node: 'node1', leader: 'node1', isLeader: true, ready: true, term: 1, alive: ['node1'], lost: [] });
  });

  it('reports its health for Kubernetes probes on GET /health, through the cluster health indicator', async () => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', info: { cluster: { status: 'up', state: 'leader', node: 'node1' } } });
  });

  it('calls a @ClusterFunction through GET /hello/:node/:name, with a trace id', async () => {
    const body = (await (await fetch(`${url}/hello/node1/World`)).json()) as { result: string };
    expect(body.result).toMatch(/^Hello, World! \(trace [0-9a-f-]{36}\)$/);
  });

  it('answers a call to an unknown node with an error, not a crash', async () => {
    const response = await fetch(`${url}/hello/nobody/World`);
    expect(response.status).toBe(500);
    expect(((await (await fetch(`${url}/cluster`)).json()) as { isLeader: boolean }).isLeader).toBe(true);
  });

  it('runs its leader job', async () => {
    await waitFor(() => app.get(JobsService).masterRuns >= 1, { what: 'the sample leader job' });
  });
});
