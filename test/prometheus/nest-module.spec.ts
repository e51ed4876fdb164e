import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ClusterModule, ClusterService } from 'nest-cluster';
import { ClusterPrometheusModule } from '../../lib/prometheus/index.js';
import { read } from './metrics-text.js';

describe('ClusterPrometheusModule', () => {
  it('registers the metrics on the registry given to forRoot and removes them when the app closes', async () => {
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'single', logger: false }), ClusterPrometheusModule.forRoot({ registry })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const cluster = app.get(ClusterService);
    await cluster.waitForLeader(5_000);
    expect(await read(registry, 'leader_election_master_status', { name: 'nest-cluster' })).toBe(1);
    expect(await read(registry, 'nest_cluster_is_leader')).toBe(1);
    expect(await read(registry, 'nest_cluster_leader_changes_total')).toBe(1);
    await app.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('takes the registry from a factory (forRootAsync)', async () => {
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      imports: [
        ClusterModule.forRoot({ mode: 'single', logger: false }),
        ClusterPrometheusModule.forRootAsync({ useFactory: () => ({ registry, electionName: 'billing' }) }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.get(ClusterService).waitForLeader(5_000);
    expect(await read(registry, 'leader_election_master_status', { name: 'billing' })).toBe(1);
    await app.close();
  });
});
