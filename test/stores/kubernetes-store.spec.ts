import { describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { LeaseApiLike } from '../../lib/core/election/lease/stores/kubernetes/lease-api.js';
import { KubernetesLeaseStore } from '../../lib/core/election/lease/stores/kubernetes/kubernetes-lease-store.js';
import { manualClock } from '../helpers/clusters.js';
import { kubeConfigFor, LeaseApiServer } from '../helpers/lease-api-server.js';
import { useCleanups, useServer } from '../helpers/lifecycle.js';

const api = useServer(true, () => LeaseApiServer.start());
const cleanup = useCleanups();
const PERIOD = 2000;

let leases = 0;
/** Stores on one Lease, each on a manual clock of its own, through the real client. */
async function stores(count: number) {
  const name = `store-${++leases}`;
  const config = (await kubeConfigFor(api())) as KubeConfig;
  const made = Array.from({ length: count }, () => {
    const clock = manualClock();
    const store = new KubernetesLeaseStore({
      api: config.makeApiClient(CoordinationV1Api) as unknown as LeaseApiLike,
      namespace: 'test',
      name,
      server: api().url,
      requestTimeoutMs: 5000,
      periodMs: PERIOD,
      clock,
    });
    cleanup(() => store.close());
    return { store, clock };
  });
  return { name, made };
}

const claim = (node: string, highestToken = 0) => ({ node, periodMs: PERIOD, highestToken });

describe('the Kubernetes Lease store (against a stand-in API server)', () => {
  it('a missing Lease is created quarantined with the highest token seen, and taken only after one duration unchanged', async () => {
    const { name, made: [a] } = await stores(1);
    const first = await a!.store.acquire(claim('a', 7));
    expect(first).toMatchObject({ acquired: false, quarantined: true, remainingMs: PERIOD });
    expect(api().lease('test', name)!.spec).toMatchObject({ holderIdentity: '', leaseTransitions: 7 });
    a!.clock.advance(PERIOD - 1);
    expect(await a!.store.acquire(claim('a', 7))).toMatchObject({ acquired: false, quarantined: true });
    a!.clock.advance(1);
    const won = await a!.store.acquire(claim('a', 7));
    expect(won).toMatchObject({ acquired: true, holder: { node: 'a', token: 8 } });
  });

  it("expiry is judged by observed time: a holder's Lease lasts one duration from when each node first saw it, whatever renewTime says", async () => {
    const { name, made: [a, b] } = await stores(2);
    await a!.store.acquire(claim('a'));
    a!.clock.advance(PERIOD);
    const held = await a!.store.acquire(claim('a'));
    expect(held.acquired).toBe(true);
    // renewTime hours in the past or future: b never compares it with a clock.
    api().edit('test', name, (lease) => void (lease.spec.renewTime = '2001-01-01T00:00:00.000000Z'));
    const seen = await b!.store.acquire(claim('b'));
    expect(seen).toMatchObject({ acquired: false, holder: { node: 'a' }, remainingMs: PERIOD });
    b!.clock.advance(PERIOD - 1);
    expect((await b!.store.acquire(claim('b'))).acquired).toBe(false);
    // A renewal is a new record: b counts again from when it sees it.
    const token = (held.holder!.token as number);
    expect(await a!.store.renew({ node: 'a', token, raw: held.holder!.raw }, PERIOD)).toBe(true);
    b!.clock.advance(1);
    expect(await b!.store.acquire(claim('b'))).toMatchObject({ acquired: false, remainingMs: PERIOD });
    b!.clock.advance(PERIOD);
    expect(await b!.store.acquire(claim('b', token))).toMatchObject({ acquired: true, holder: { node: 'b', token: token + 1 } });
    expect(await a!.store.renew({ node: 'a', token, raw: held.holder!.raw }, PERIOD)).toBe(false);
  });

  it('release clears holderIdentity only while the releaser still holds the Lease, and a released Lease is taken at once', async () => {
    const { name, made: [a, b] } = await stores(2);
    await a!.store.acquire(claim('a'));
    a!.clock.advance(PERIOD);
    const held = (await a!.store.acquire(claim('a'))).holder!;
    const lease = { node: 'a', token: held.token as number, raw: held.raw };
    expect(await b!.store.release({ ...lease, node: 'b' })).toBe(false);
    expect(await a!.store.release(lease)).toBe(true);
    expect(api().lease('test', name)!.spec).toMatchObject({ holderIdentity: '', leaseTransitions: lease.token });
    expect(await a!.store.release(lease)).toBe(false);
    expect(await b!.store.acquire(claim('b'))).toMatchObject({ acquired: true, holder: { node: 'b', token: lease.token + 1 } });
  });

  it('a write that meets 409 Conflict re-reads: a renewal after a foreign write to the same holder still lands', async () => {
    const { name, made: [a] } = await stores(1);
    await a!.store.acquire(claim('a'));
    a!.clock.advance(PERIOD);
    const held = (await a!.store.acquire(claim('a'))).holder!;
    const before = api().requests.conflicts;
    // Another writer (kubectl label) bumps the resourceVersion between this store's GET and its PUT.
    let edited = false;
    api().beforeRequest = (verb) => {
      if (verb !== 'update' || edited) return;
      edited = true;
      api().edit('test', name, (lease) => void (lease.metadata.labels = { touched: 'yes' }));
    };
    cleanup(async () => void (api().beforeRequest = undefined));
    expect(await a!.store.renew({ node: 'a', token: held.token as number, raw: held.raw }, PERIOD)).toBe(true);
    expect(api().requests.conflicts).toBe(before + 1);
    expect(api().lease('test', name)!.metadata.labels).toEqual({ touched: 'yes' });
  });
});
