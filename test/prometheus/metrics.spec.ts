import { register as globalRegistry, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../lib/core/cluster.js';
import { DefaultJobTracker } from '../../lib/core/jobs/default-job-tracker.js';
import type { LeaderContext } from '../../lib/core/jobs/leader-context.js';
import { newFuncSpec } from '../../lib/core/rpc/func-spec.js';
import { createCluster } from '../../lib/create-cluster.js';
import { registerClusterMetrics, type ClusterMetrics } from '../../lib/prometheus/index.js';
import { RaftCluster } from '../helpers/raft-cluster.js';
import { rawClient } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';
import { read, sample } from './metrics-text.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function metered(cluster: Cluster): { registry: Registry; metrics: ClusterMetrics } {
  const registry = new Registry();
  const metrics = registerClusterMetrics(cluster, { registry });
  cleanups.push(() => metrics.close());
  return { registry, metrics };
}

async function raftGroup(names: string[], proxies = false): Promise<{ group: RaftCluster; registries: Map<string, Registry> }> {
  const group = await RaftCluster.start(names, { proxies });
  cleanups.push(() => group.close());
  const registries = new Map(names.map((name) => [name, metered(group.get(name)).registry]));
  return { group, registries };
}

describe('cluster metrics read back from the registry text', () => {
  it('after an election and a failover: master status, term, leader changes, elections and peers', async () => {
    const { group, registries } = await raftGroup(['m1', 'm2', 'm3'], true);
    const first = await group.settled();
    const firstName = first.getMyName();
    await waitFor(async () => (await read(registries.get(firstName)!, 'nest_cluster_peers_alive')) === 2, { what: 'a full mesh' });
    const leaderText = await registries.get(firstName)!.metrics();
    expect(sample(leaderText, 'leader_election_master_status', { name: 'nest-cluster' })).toBe(1);
    expect(sample(leaderText, 'nest_cluster_is_leader')).toBe(1);
    expect(sample(leaderText, 'nest_cluster_term')).toBe(first.getMyTerm());
    expect(sample(leaderText, 'nest_cluster_elections_total')).toBe(first.getStats().elections);
    expect(sample(leaderText, 'nest_cluster_elections_total')).toBeGreaterThanOrEqual(1);
    expect(sample(leaderText, 'nest_cluster_leaderships_total')).toBe(first.getStats().leaderships);
    expect(sample(leaderText, 'nest_cluster_peers')).toBe(2);
    const followers = ['m1', 'm2', 'm3'].filter((n) => n !== firstName);
    const changesBefore = new Map<string, number>();
    for (const name of followers) {
      const text = await registries.get(name)!.metrics();
      expect(sample(text, 'leader_election_master_status', { name: 'nest-cluster' })).toBe(0);
      expect(sample(text, 'nest_cluster_is_leader')).toBe(0);
      expect(sample(text, 'nest_cluster_leader_changes_total')).toBeGreaterThanOrEqual(1);
      changesBefore.set(name, sample(text, 'nest_cluster_leader_changes_total')!);
    }

    // Failover: the leader is cut off; the other two elect one of themselves.
    group.isolate(firstName);
    const second = await group.settled(followers);
    const secondName = second.getMyName();
    await waitFor(async () => (await read(registries.get(firstName)!, 'nest_cluster_is_leader')) === 0, { what: 'the old leader to step down' });
    expect(await read(registries.get(firstName)!, 'leader_election_master_status', { name: 'nest-cluster' })).toBe(0);
    const newText = await registries.get(secondName)!.metrics();
    expect(sample(newText, 'leader_election_master_status', { name: 'nest-cluster' })).toBe(1);
    expect(sample(newText, 'nest_cluster_term')).toBe(second.getMyTerm());
    expect(second.getMyTerm()).toBeGreaterThan(first.getMyTerm());
    for (const name of followers) {
      expect(await read(registries.get(name)!, 'nest_cluster_leader_changes_total')).toBeGreaterThan(changesBefore.get(name)!);
    }
    await waitFor(async () => (await read(registries.get(secondName)!, 'nest_cluster_peers_alive')) === 1, { what: 'the cut-off node lost' });
    group.heal();
  });

  it('calls by function and outcome, timed on the caller and counted as served on the callee', async () => {
    const { group, registries } = await raftGroup(['c1', 'c2']);
    await group.settled();
    for (const [, cluster] of group.clusters) {
      cluster.registerFunc('echo', (value: unknown) => value);
      cluster.registerFunc('fail', () => {
        throw new TypeError('bad input');
      });
    }
    const c1 = group.get('c1');
    await c1.callFunc(newFuncSpec('c2', 'echo', 1));
    await c1.callFunc(newFuncSpec('c2', 'echo', 2));
    await c1.callFunc(newFuncSpec('c1', 'echo', 3));
    await expect(c1.callFunc(newFuncSpec('c2', 'fail', null))).rejects.toThrow('bad input');
    await expect(c1.callFunc(newFuncSpec('c2', 'missing', null))).rejects.toThrow(/missing/);
    const caller = await registries.get('c1')!.metrics();
    expect(sample(caller, 'nest_cluster_calls_total', { function: 'echo', outcome: 'ok' })).toBe(3);
    expect(sample(caller, 'nest_cluster_calls_total', { function: 'fail', outcome: 'error' })).toBe(1);
    expect(sample(caller, 'nest_cluster_calls_total', { function: 'missing', outcome: 'not_found' })).toBe(1);
    expect(sample(caller, 'nest_cluster_call_duration_seconds_count', { function: 'echo', outcome: 'ok' })).toBe(3);
    expect(sample(caller, 'nest_cluster_call_duration_seconds_bucket', { function: 'echo', outcome: 'ok', le: '+Inf' })).toBe(3);
    expect(sample(caller, 'nest_cluster_call_duration_seconds_sum', { function: 'echo', outcome: 'ok' })).toBeGreaterThan(0);
    // The local call was served by c1 itself; the rest by c2.
    expect(sample(caller, 'nest_cluster_calls_served_total', { function: 'echo', outcome: 'ok' })).toBe(1);
    const callee = await registries.get('c2')!.metrics();
    expect(sample(callee, 'nest_cluster_calls_served_total', { function: 'echo', outcome: 'ok' })).toBe(2);
    expect(sample(callee, 'nest_cluster_calls_served_total', { function: 'fail', outcome: 'error' })).toBe(1);
    expect(sample(callee, 'nest_cluster_calls_served_total', { function: 'missing', outcome: 'not_found' })).toBe(1);
    expect(sample(callee, 'nest_cluster_calls_total', { function: 'echo', outcome: 'ok' })).toBeUndefined();

    // Garbage on c2's listener: a violation by reason.
    // A call refused before dispatch is counted too.
    await expect(c1.callFunc(newFuncSpec('c2', 'echo', 0, 0))).rejects.toThrow(/timeoutMs/);
    expect(await read(registries.get('c1')!, 'nest_cluster_calls_total', { function: 'echo', outcome: 'refused' })).toBe(1);

    const port = group.nodes.find((n) => n.name === 'c2')!.port;
    const client = await rawClient(port);
    client.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await client.closed;
    const violations = () => group.get('c2').getStats().transport!.violations;
    await waitFor(() => Object.keys(violations()).length > 0, { what: 'a violation counted' });
    const [reason, count] = Object.entries(violations())[0]!;
    // Scraped twice: the counter follows the cluster's count, never adds it again.
    expect(await read(registries.get('c2')!, 'nest_cluster_transport_violations_total', { reason })).toBe(count);
    expect(await read(registries.get('c2')!, 'nest_cluster_transport_violations_total', { reason })).toBe(count);
  });

  it('leader-job runs by job and outcome with durations, and skipped runs by reason', async () => {
    const cluster = createCluster({ mode: 'single', logger: false });
    cleanups.push(() => cluster.close());
    const { registry } = metered(cluster);
    await cluster.startUp();
    let runs = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ok = new DefaultJobTracker({ ms: 5 }, cluster, { masterCall: () => void runs++ }, { name: 'ok' }).start();
    const failing = new DefaultJobTracker({ ms: 5 }, cluster, {
      masterCall: () => {
        throw new Error('job failed');
      },
    }, { name: 'failing' }).start();
    const busy = new DefaultJobTracker({ ms: 5 }, cluster, { masterCall: () => held }, { name: 'busy' }).start();
    await waitFor(() => runs >= 3 && busy.skippedRuns >= 2, { what: 'runs and skipped runs' });
    await ok.close();
    await failing.close();
    release();
    await busy.close();
    let stale: LeaderContext | undefined;
    cluster.addJobTracker({ name: 'probe', onStartedLeading: (context) => void (stale = { ...context }) });
    await waitFor(() => stale !== undefined);
    expect(cluster.runAsLeader('stale', stale!, () => undefined)).toBe(false);

    const text = await registry.metrics();
    expect(sample(text, 'nest_cluster_leader_job_runs_total', { job: 'ok.masterCall', outcome: 'ok' })).toBe(runs);
    expect(sample(text, 'nest_cluster_leader_job_duration_seconds_count', { job: 'ok.masterCall', outcome: 'ok' })).toBe(runs);
    expect(sample(text, 'nest_cluster_leader_job_runs_total', { job: 'failing.masterCall', outcome: 'error' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'nest_cluster_leader_job_runs_total', { job: 'failing.masterCall', outcome: 'ok' })).toBeUndefined();
    expect(sample(text, 'nest_cluster_leader_job_runs_total', { job: 'busy.masterCall', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'nest_cluster_leader_job_skipped_total', { job: 'busy.masterCall', reason: 'busy' })).toBe(busy.skippedRuns);
    expect(sample(text, 'nest_cluster_leader_job_skipped_total', { job: 'stale', reason: 'leadership_ended' })).toBe(1);
    expect(sample(text, 'nest_cluster_leader_job_runs_total', { job: 'probe.onStartedLeading', outcome: 'ok' })).toBe(1);
  });

  it('uses only the registry it is given; close() removes every series it added and stops counting', async () => {
    const cluster = createCluster({ mode: 'single', logger: false });
    cleanups.push(() => cluster.close());
    const registry = new Registry();
    const metrics = registerClusterMetrics(cluster, { registry, electionName: 'reports' });
    // A call before startUp() is refused, and counted as such.
    await expect(cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 1))).rejects.toThrow(/not started/);
    expect(await read(registry, 'nest_cluster_calls_total', { function: 'echo', outcome: 'refused' })).toBe(1);
    await cluster.startUp();
    expect(await read(registry, 'leader_election_master_status', { name: 'reports' })).toBe(1);
    expect(globalRegistry.getMetricsAsArray().filter((m) => /^(nest_cluster_|leader_election_)/.test(m.name))).toEqual([]);
    expect(() => registerClusterMetrics(cluster, { registry })).toThrow(/already been registered/);
    expect(registry.getMetricsAsArray()).toHaveLength(15);
    const oldCalls = registry.getSingleMetric('nest_cluster_calls_total')!;
    metrics.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
    // Registered again on the same registry, the series start afresh and count once per call.
    const again = registerClusterMetrics(cluster, { registry });
    cleanups.push(() => again.close());
    cluster.registerFunc('echo', (v: unknown) => v);
    await cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 1));
    expect(await read(registry, 'nest_cluster_calls_total', { function: 'echo', outcome: 'ok' })).toBe(1);
    // The closed set stopped counting: its hooks were removed from the cluster.
    expect((await oldCalls.get()).values.map((v) => v.labels)).toEqual([{ function: 'echo', outcome: 'refused' }]);
  });
});
