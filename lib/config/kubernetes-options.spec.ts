import { describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../core/errors.js';
import type { ClusterModuleOptions } from './cluster-options.js';
import type { HostIdentity } from './node-identity.js';
import { resolveClusterOptions } from './resolve-options.js';

const host: HostIdentity = { envNodeName: undefined, hostname: 'pod-a', addresses: ['127.0.0.1'] };
const resolve = (options: ClusterModuleOptions) => resolveClusterOptions({ logger: false, mode: 'kubernetes', ...options }, host);
const rejection = (options: ClusterModuleOptions): string => {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the options to be rejected');
};

describe('options of kubernetes mode', () => {
  it('defaults to the in-cluster config, the pod namespace, the Lease nest-cluster and redis timings', () => {
    const s = resolve({});
    expect(s.kubernetes).toEqual({ namespace: undefined, kubeConfig: undefined });
    expect(s.lease).toMatchObject({ name: 'nest-cluster', electionInterval: 15_000, electionPeriod: 30_000, syncLeaderInterval: 10_000 });
    expect(resolve({ kubernetes: { namespace: 'shop', kubeConfig: '/etc/kube/config' } }).kubernetes).toEqual({ namespace: 'shop', kubeConfig: '/etc/kube/config' });
  });

  it('rejects a renew interval that is not shorter than the lease, in one sentence', () => {
    expect(rejection({ lease: { electionInterval: 5000, electionPeriod: 5000 } })).toBe(
      'Invalid cluster option `lease.electionPeriod`: the lease (5000 ms) must be longer than the renewal interval electionInterval (5000 ms), or the lease lapses between renewals.',
    );
    expect(rejection({ lease: { electionInterval: 1900, electionPeriod: 2000 } })).toMatch(/^Invalid cluster option `lease\.electionPeriod`: after the clock-drift and event-loop margins a leader may act for \d+ ms of each 2000 ms lease/);
  });

  it('rejects a lease that is not whole seconds, since leaseDurationSeconds is', () => {
    expect(rejection({ lease: { electionInterval: 300, electionPeriod: 1500 } })).toBe(
      'Invalid cluster option `lease.electionPeriod`: a Lease\'s duration is whole seconds (leaseDurationSeconds); make electionPeriod a multiple of 1000 ms, got 1500.',
    );
  });

  it('rejects names the API server would refuse, and unknown or ill-typed fields, naming each', () => {
    expect(rejection({ lease: { name: 'Orders_Leader' } })).toMatch(/^Invalid cluster option `lease\.name`: a Lease's name must be a DNS subdomain/);
    expect(rejection({ kubernetes: { namespace: 'Shop' } })).toMatch(/^Invalid cluster option `kubernetes\.namespace`: expected a namespace name/);
    expect(rejection({ kubernetes: { kubeConfig: 42 as never } })).toMatch(/^Invalid cluster option `kubernetes\.kubeConfig`: expected the path of a kubeconfig file or a KubeConfig/);
    expect(rejection({ kubernetes: { leaseName: 'x' } as never })).toMatch(/^Invalid cluster option `kubernetes\.leaseName`: unknown option; known options are namespace, kubeConfig\./);
  });

  it('ignores the kubernetes group in other modes', () => {
    expect(resolveClusterOptions({ logger: false, mode: 'single', kubernetes: { namespace: 'Bad!' } }, host).kubernetes).toBeUndefined();
  });
});
