import { describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import type { LeaseEngine } from '../../lib/core/election/lease/lease-engine.js';
import { memoryLogger } from '../helpers/clusters.js';
import { K8S, kubeConfigFor, LeaseApiServer } from '../helpers/lease-api-server.js';
import { LeaseNodes, type LeaseNode } from '../helpers/lease-nodes.js';
import { useCleanups, useServer } from '../helpers/lifecycle.js';
import { waitFor } from '../helpers/wait-for.js';

const api = useServer(true, () => LeaseApiServer.start());
const cleanup = useCleanups();

let leases = 0;
async function threeNodes(timings: typeof K8S | { electionInterval: number; electionPeriod: number; syncLeaderInterval: number } = K8S) {
  const name = `faults-${++leases}`;
  const logger = memoryLogger();
  const kubeConfig = (await kubeConfigFor(api())) as KubeConfig;
  const group = new LeaseNodes({ mode: 'kubernetes', kubernetes: { kubeConfig }, lease: { name, ...timings }, logger });
  cleanup(async () => {
    api().forbidden.clear();
    api().dropping = false;
    api().delayMs = 0;
    await api().up().catch(() => undefined); // already listening unless a test took it down
    await group.closeAll();
    group.log.expectSafe();
  });
  return { group, all: await group.start('a', 'b', 'c'), name, logger };
}

const noneActing = (group: LeaseNodes) => () => group.acting().length === 0;
const periods = (ms: number) => (ms / K8S.electionPeriod).toFixed(2);
const refused = (nodes: LeaseNode[]) => nodes.reduce((sum, n) => sum + (n.engine as LeaseEngine).invalidValues, 0);
const logged = (logger: ReturnType<typeof memoryLogger>, pattern: RegExp) => () => logger.lines.some((l) => pattern.test(l.message));

describe('kubernetes mode: API server failures (against a stand-in API server)', () => {
  it('the leader stops acting within its lease when the API server goes down, and the cluster elects again when it is back', async () => {
    const { group, all, logger } = await threeNodes();
    const token = (await group.settled(all)).cluster.getMyTerm();
    const downAt = performance.now();
    await api().down();
    await waitFor(noneActing(group), { timeoutMs: 10 * K8S.electionPeriod, what: 'the leader to stop acting' });
    console.info(`[report] Kubernetes API server down: leader stopped acting after ${periods(performance.now() - downAt)} × leaseDuration`);
    await waitFor(logged(logger, /^Kubernetes lease: \w+ failed: KubernetesApiError: the API server at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/), { what: 'the unreachable line' });
    const upAt = performance.now();
    await api().up();
    const second = await group.settled(all);
    console.info(`[report] Kubernetes API server back: leader after ${periods(performance.now() - upAt)} × leaseDuration`);
    expect(second.cluster.getMyTerm()).toBeGreaterThanOrEqual(token);
    await waitFor(logged(logger, /^Kubernetes lease: Kubernetes answers again\.$/), { what: 'the recovery line' });
  });

  it('answers that never come (dropped) make the leader step down within its lease; delayed answers change nothing but time', async () => {
    const { group, all } = await threeNodes();
    await group.settled(all);
    api().dropping = true;
    await waitFor(noneActing(group), { timeoutMs: 10 * K8S.electionPeriod, what: 'the leader to stop acting' });
    api().dropping = false;
    api().delayMs = 50;
    const leader = await group.settled(all);
    expect(leader.cluster.getMyTerm()).toBeGreaterThan(0);
  });

  it('403 Forbidden (no RBAC for leases): a clear log line, no leader, no crash; once granted, an election', async () => {
    api().forbidden = new Set(['get', 'create', 'update']);
    const { group, all, logger } = await threeNodes();
    await waitFor(logged(logger, /403 Forbidden: this pod's service account may not get leases \(coordination\.k8s\.io\) in the namespace of Lease test\/faults-\d+; grant get, create and update on leases there/), { what: 'the 403 line' });
    expect(group.acting()).toHaveLength(0);
    expect(all.every((n) => !n.cluster.isClose())).toBe(true);
    api().forbidden.clear();
    await group.settled(all);
  });

  it('a Lease deleted by hand: the holder steps down, nobody leads for one duration, tokens go on growing', async () => {
    const { group, all, name } = await threeNodes();
    const first = await group.settled(all);
    const token = first.cluster.getMyTerm();
    api().remove('test', name);
    await waitFor(() => !first.cluster.isLeader(), { what: 'the holder to step down' });
    expect((await group.settled(all)).cluster.getMyTerm()).toBeGreaterThan(token);
  });

  const corruptions: [string, (lease: Record<string, any>) => void][] = [
    ['a holder that is no node name', (l) => void (l.spec.holderIdentity = 'x'.repeat(300))],
    ['a negative leaseTransitions', (l) => void (l.spec.leaseTransitions = -5)],
    ['an absurd leaseTransitions', (l) => void (l.spec.leaseTransitions = 2 ** 50)],
    ['a held Lease with leaseTransitions 0', (l) => void (l.spec.leaseTransitions = 0)],
    ['a Lease that lasts a year', (l) => void (l.spec.leaseDurationSeconds = 365 * 24 * 3600)],
    ['no leaseDurationSeconds', (l) => void delete l.spec.leaseDurationSeconds],
    ['a fractional leaseDurationSeconds', (l) => void (l.spec.leaseDurationSeconds = 0.5)],
  ];

  it('a Lease edited by hand to an invalid state is logged, counted, never adopted, and elections go on, for every kind', async () => {
    for (const [what, change] of corruptions) {
      const { group, all, name, logger } = await threeNodes();
      const holder = await group.settled(all);
      const token = holder.cluster.getMyTerm();
      // The holder dies first: a live one would see the edit at its next renewal and step down.
      await group.crash(holder);
      api().edit('test', name, change);
      await waitFor(() => refused(all) > 0, { what: `${what} to be refused` });
      const next = await group.settled(group.live());
      expect(next.cluster.getMyTerm(), what).toBeGreaterThan(token);
      expect(next.name, what).not.toBe(holder.name);
      const line = new RegExp(`^Kubernetes lease: "Lease test/${name}\\.[\\w.]+" held `);
      expect(logger.lines.some((l) => l.level === 'error' && line.test(l.message)), what).toBe(true);
    }
  }, 120_000);

  it('a holder cleared by hand (not released) is waited out for one duration, since the holder may still act', async () => {
    // The holder renews every 900 ms and followers poll every 100 ms: a follower that took a cleared
    // Lease at once would act while the holder, not yet told, still does.
    const { group, all, name } = await threeNodes({ electionInterval: 900, electionPeriod: 2000, syncLeaderInterval: 100 });
    const holder = await group.settled(all);
    const token = holder.cluster.getMyTerm();
    const updates = api().requests.update;
    await waitFor(() => api().requests.update > updates, { what: 'a renewal' });
    api().edit('test', name, (l) => void (l.spec.holderIdentity = ''));
    await waitFor(() => !holder.cluster.isLeader(), { what: 'the holder to step down' });
    // The oracle (at cleanup) finds no overlap: nobody took the cleared Lease while the holder acted.
    expect((await group.settled(all)).cluster.getMyTerm()).toBeGreaterThan(token);
  });

  it('a live holder whose Lease is edited to another holder steps down at its next renewal', async () => {
    const { group, all, name } = await threeNodes();
    const holder = await group.settled(all);
    const other = all.find((n) => n !== holder)!;
    api().edit('test', name, (l) => void (l.spec.holderIdentity = other.name));
    await waitFor(() => !holder.cluster.isLeader(), { what: 'the holder to step down' });
    // The Lease names `other` with the old token: valid, so it is waited out like any holder's.
    await group.settled(all);
  });
});
