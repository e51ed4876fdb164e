import { readFile } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { ClusterConfigError } from '../core/errors.js';
import type { LeaseStore } from '../core/election/lease/lease-store.js';
import type { KubeConfigLike, LeaseApiLike } from '../core/election/lease/stores/kubernetes/lease-api.js';
import { KubernetesLeaseStore } from '../core/election/lease/stores/kubernetes/kubernetes-lease-store.js';
import type { KubernetesSettings, LeaseSettings } from '../core/settings.js';

/** Where a pod's service account tells its namespace (in-cluster config). */
const NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

interface ClientModule {
  KubeConfig: new () => KubeConfigLike & { loadFromCluster(): void; loadFromFile(path: string): void };
  CoordinationV1Api: never;
}

/** @kubernetes/client-node is an optional peer (ESM only): loaded only in kubernetes mode. */
async function loadClient(): Promise<ClientModule> {
  try {
    return (await import('@kubernetes/client-node')) as unknown as ClientModule;
  } catch (error) {
    throw new ClusterConfigError(
      `kubernetes mode needs the @kubernetes/client-node package (2.x); install it (npm install @kubernetes/client-node). (${String(error)})`,
    );
  }
}

/** The namespace given, else the pod's own (in-cluster) or the kubeconfig context's, else `default`. */
async function namespaceOf(given: string | undefined, inCluster: boolean, context: { readonly namespace?: string } | null): Promise<string> {
  if (given) return given;
  const own = inCluster ? await readFile(NAMESPACE_FILE, 'utf8').then((text) => text.trim(), () => '') : context?.namespace;
  return own || 'default';
}

/**
 * Opens the Kubernetes Lease store: the KubeConfig given, one loaded from the kubeconfig file
 * given, or the in-cluster config of the pod's service account (the default).
 */
export async function openKubernetesLeaseStore(kubernetes: KubernetesSettings, lease: LeaseSettings, clock: Clock): Promise<LeaseStore> {
  const client = await loadClient();
  let config: KubeConfigLike;
  if (typeof kubernetes.kubeConfig === 'object') {
    config = kubernetes.kubeConfig;
  } else {
    const made = new client.KubeConfig();
    try {
      if (kubernetes.kubeConfig === undefined) made.loadFromCluster();
      else made.loadFromFile(kubernetes.kubeConfig);
    } catch (error) {
      throw new ClusterConfigError(`kubernetes mode could not load ${kubernetes.kubeConfig ?? 'the in-cluster config'}: ${String(error)}`);
    }
    config = made;
  }
  const api = config.makeApiClient(client.CoordinationV1Api) as LeaseApiLike;
  return new KubernetesLeaseStore({
    api,
    namespace: await namespaceOf(kubernetes.namespace, kubernetes.kubeConfig === undefined, config.getContextObject(config.getCurrentContext())),
    name: kubernetes.leaseName,
    server: config.getCurrentCluster()?.server ?? 'unknown',
    requestTimeoutMs: lease.electionPeriod,
    periodMs: lease.electionPeriod,
    clock,
  });
}
