import { describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../core/errors.js';
import type { ClusterModuleOptions } from './cluster-options.js';
import type { HostIdentity } from './node-identity.js';
import { resolveClusterOptions } from './resolve-options.js';

const host: HostIdentity = { envNodeName: undefined, hostname: 'box-a', addresses: ['127.0.0.1'] };
const resolve = (options: ClusterModuleOptions) => resolveClusterOptions({ logger: false, ...options }, host);
const rejection = (options: ClusterModuleOptions): string => {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the options to be rejected');
};
const url = 'postgres://db/app';

describe('options of the lease modes (postgres, mysql, lease)', () => {
  it("default to the seed's RedisDiscovery timings, the lease name 'nest-cluster' and the table nest_cluster_lease", () => {
    const s = resolve({ mode: 'postgres', postgres: { connectionString: url } });
    expect(s.lease).toEqual({ name: 'nest-cluster', electionInterval: 15_000, electionPeriod: 30_000, syncLeaderInterval: 10_000, store: undefined });
    expect(s.postgres).toEqual({ pool: undefined, connectionString: url, schema: 'public', table: 'nest_cluster_lease', listen: true });
    expect(resolve({ mode: 'mysql', mysql: { uri: 'mysql://db/app' } }).mysql).toMatchObject({ table: 'nest_cluster_lease' });
  });

  it('check the shared timings in the same sentences as redisDiscovery, naming the lease group', () => {
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url }, lease: { electionPeriod: 1000, electionInterval: 1000 } })).toMatch(
      /^Invalid cluster option `lease\.electionPeriod`: the lease \(1000 ms\) must be longer than the renewal interval/,
    );
    expect(rejection({ mode: 'mysql', mysql: { uri: 'mysql://db' }, lease: { electionPeriod: 1050, electionInterval: 1000 } })).toMatch(
      /`lease\.electionPeriod`: after the clock-drift and event-loop margins/,
    );
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url }, lease: { syncLeaderInterval: 'soon' } })).toMatch(/`lease\.syncLeaderInterval`/);
    expect(resolve({ mode: 'postgres', postgres: { connectionString: url }, lease: { electionInterval: '4000', electionPeriod: '10000' } }).lease).toMatchObject({
      electionInterval: 4000,
      electionPeriod: 10_000,
    });
  });

  it('reject a second source of connections, a bad URL, an identifier that would need quoting, and unknown keys', () => {
    expect(rejection({ mode: 'postgres' })).toMatch(/`postgres`: postgres mode needs exactly one of postgres\.pool/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, inject: 'PG' } })).toMatch(/got connectionString and inject/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: 'mysql://x' } })).toMatch(/`postgres\.connectionString`/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, schema: 'a.b' } })).toMatch(/`postgres\.schema`/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, listen: 'no' as never } })).toMatch(/`postgres\.listen`/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, tabel: 'x' } as never })).toMatch(/`postgres\.tabel`: unknown option/);
    expect(rejection({ mode: 'postgres', postgres: { pool: { query: () => undefined } as never } })).toMatch(/`postgres\.pool`: expected a pg\.Pool/);
    expect(rejection({ mode: 'mysql', mysql: { uri: 'postgres://x' } })).toMatch(/`mysql\.uri`/);
    expect(rejection({ mode: 'mysql', mysql: { uri: 'mysql://x', inject: 42 as never } })).toMatch(/got uri and inject/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url }, lease: { name: '' } })).toMatch(/`lease\.name`/);
  });

  it('ignore the SQL groups in other modes', () => {
    expect(resolve({ mode: 'single', postgres: { tabel: 1 } as never }).postgres).toBeUndefined();
  });
});

describe('options of kubernetes mode', () => {
  const kube = (options: ClusterModuleOptions = {}): ClusterModuleOptions => ({ mode: 'kubernetes', ...options });

  it('defaults to the in-cluster config, the pod namespace, the Lease nest-cluster and redis timings', () => {
    const s = resolve(kube());
    expect(s.kubernetes).toEqual({ namespace: undefined, leaseName: 'nest-cluster', kubeConfig: undefined });
    expect(s.lease).toMatchObject({ name: 'nest-cluster', electionInterval: 15_000, electionPeriod: 30_000, syncLeaderInterval: 10_000 });
    expect(resolve(kube({ kubernetes: { namespace: 'shop', kubeConfig: '/etc/kube/config' } })).kubernetes).toEqual({
      namespace: 'shop',
      leaseName: 'nest-cluster',
      kubeConfig: '/etc/kube/config',
    });
  });

  it('names the Lease by kubernetes.leaseName (DESIGN §3) or lease.name, and refuses two different names', () => {
    expect(resolve(kube({ kubernetes: { leaseName: 'orders' } })).kubernetes?.leaseName).toBe('orders');
    expect(resolve(kube({ lease: { name: 'orders' } })).kubernetes?.leaseName).toBe('orders');
    expect(resolve(kube({ lease: { name: 'orders' }, kubernetes: { leaseName: 'orders' } })).kubernetes?.leaseName).toBe('orders');
    expect(rejection(kube({ lease: { name: 'orders' }, kubernetes: { leaseName: 'billing' } }))).toBe(
      'Invalid cluster option `kubernetes.leaseName`: it names the Lease "billing" while lease.name says "orders"; give one of them.',
    );
    expect(rejection(kube({ kubernetes: { leaseName: 'Orders_Leader' } }))).toMatch(/^Invalid cluster option `kubernetes\.leaseName`: a Lease's name must be a DNS subdomain/);
  });

  it('rejects a renew interval that is not shorter than the lease, in one sentence', () => {
    expect(rejection(kube({ lease: { electionInterval: 5000, electionPeriod: 5000 } }))).toBe(
      'Invalid cluster option `lease.electionPeriod`: the lease (5000 ms) must be longer than the renewal interval electionInterval (5000 ms), or the lease lapses between renewals.',
    );
    expect(rejection(kube({ lease: { electionInterval: 1900, electionPeriod: 2000 } }))).toMatch(/^Invalid cluster option `lease\.electionPeriod`: after the clock-drift and event-loop margins a leader may act for \d+ ms of each 2000 ms lease/);
  });

  it('rejects a lease that is not whole seconds, since leaseDurationSeconds is', () => {
    expect(rejection(kube({ lease: { electionInterval: 300, electionPeriod: 1500 } }))).toBe(
      'Invalid cluster option `lease.electionPeriod`: a Lease\'s duration is whole seconds (leaseDurationSeconds); make electionPeriod a multiple of 1000 ms, got 1500.',
    );
  });

  it('rejects names the API server would refuse, and unknown or ill-typed fields, naming each', () => {
    expect(rejection(kube({ lease: { name: 'Orders_Leader' } }))).toMatch(/^Invalid cluster option `lease\.name`: a Lease's name must be a DNS subdomain/);
    expect(rejection(kube({ kubernetes: { namespace: 'Shop' } }))).toMatch(/^Invalid cluster option `kubernetes\.namespace`: expected a namespace name/);
    expect(rejection(kube({ kubernetes: { kubeConfig: 42 as never } }))).toMatch(/^Invalid cluster option `kubernetes\.kubeConfig`: expected the path of a kubeconfig file or a KubeConfig/);
    expect(rejection(kube({ kubernetes: { leaseNmae: 'x' } as never }))).toMatch(/^Invalid cluster option `kubernetes\.leaseNmae`: unknown option; known options are namespace, leaseName, kubeConfig\./);
  });

  it('ignores the kubernetes group in other modes', () => {
    expect(resolveClusterOptions({ logger: false, mode: 'single', kubernetes: { namespace: 'Bad!' } }, host).kubernetes).toBeUndefined();
  });
});
