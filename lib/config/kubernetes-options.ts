import type { KubeConfigLike } from '../core/election/lease/stores/kubernetes/lease-api.js';
import type { ClusterMode, KubernetesSettings, LeaseSettings } from '../core/settings.js';
import { fail, knownKeys } from './option-checks.js';

const KUBERNETES_OPTIONS = new Set(['namespace', 'leaseName', 'kubeConfig']);
/** A DNS-1123 subdomain: what the API server accepts as a Lease's name. */
const LEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A DNS-1123 label: what the API server accepts as a namespace. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `kubernetes`: checked fully in kubernetes mode, ignored otherwise. The Lease's name is
 * `kubernetes.leaseName` (DESIGN §3), else `lease.name`, as the row's name is for postgres and
 * mysql; giving both with different values is an error. Its timings are `lease`'s.
 */
export function parseKubernetes(
  value: unknown,
  mode: ClusterMode,
  lease: LeaseSettings,
  leaseNameGiven: boolean,
): KubernetesSettings | undefined {
  if (mode !== 'kubernetes') return undefined;
  const given = (value ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null) fail('kubernetes', 'expected { namespace?, leaseName?, kubeConfig? }.');
  knownKeys(given, KUBERNETES_OPTIONS, 'kubernetes');
  const { namespace, kubeConfig, leaseName: named } = given;
  if (named !== undefined && typeof named !== 'string') fail('kubernetes.leaseName', `expected a Lease name, got ${JSON.stringify(named)}.`);
  if (named !== undefined && leaseNameGiven && named !== lease.name) {
    fail('kubernetes.leaseName', `it names the Lease ${JSON.stringify(named)} while lease.name says ${JSON.stringify(lease.name)}; give one of them.`);
  }
  const leaseName = (named as string | undefined) ?? lease.name;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !NAMESPACE.test(namespace))) {
    fail('kubernetes.namespace', `expected a namespace name (lowercase letters, digits and '-', at most 63), got ${JSON.stringify(namespace)}.`);
  }
  const k = kubeConfig as Record<string, unknown> | undefined;
  const isConfig = typeof k === 'object' && k !== null && typeof k.makeApiClient === 'function' && typeof k.getCurrentCluster === 'function';
  if (kubeConfig !== undefined && !(typeof kubeConfig === 'string' && kubeConfig !== '') && !isConfig) {
    fail('kubernetes.kubeConfig', 'expected the path of a kubeconfig file or a KubeConfig of @kubernetes/client-node; leave it out for the in-cluster config.');
  }
  if (leaseName.length > 253 || !LEASE_NAME.test(leaseName)) {
    fail(named !== undefined ? 'kubernetes.leaseName' : 'lease.name', `a Lease's name must be a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253), got ${JSON.stringify(leaseName)}.`);
  }
  // leaseDurationSeconds is whole seconds: a period in between would be rounded up, and the leader
  // would act on a lease shorter than the one its followers wait out, for no gain.
  if (lease.electionPeriod % 1000 !== 0) {
    fail('lease.electionPeriod', `a Lease's duration is whole seconds (leaseDurationSeconds); make electionPeriod a multiple of 1000 ms, got ${lease.electionPeriod}.`);
  }
  return { namespace: namespace as string | undefined, leaseName, kubeConfig: kubeConfig as string | KubeConfigLike | undefined };
}
