/**
 * The little of `@kubernetes/client-node` (2.x, `CoordinationV1Api`) the Kubernetes store uses,
 * spelled out so that nothing public imports its types: it is an optional peer, loaded only by
 * lib/stores/open-kubernetes.ts.
 */

/** A `coordination.k8s.io/v1` Lease as the client returns it; nothing in it is trusted. */
export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: LeaseSpecObject;
}

export interface LeaseSpecObject {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions?: number;
}

/** What the generated client's middleware returns: its own small Observable, read by `toPromise()`. */
export interface ObservableLike<T> {
  toPromise(): Promise<T>;
}

/** Per-request options of the generated client: middleware that sets the request's abort signal. */
export interface LeaseRequestOptions {
  middleware: { pre<C extends { setSignal(signal: AbortSignal): void }>(context: C): ObservableLike<C>; post<R>(response: R): ObservableLike<R> }[];
  middlewareMergeStrategy: 'append';
}

/** `CoordinationV1Api` (object-parameter style), as `kubeConfig.makeApiClient(CoordinationV1Api)` makes it. */
export interface LeaseApiLike {
  readNamespacedLease(param: { name: string; namespace: string }, options?: LeaseRequestOptions): Promise<LeaseObject>;
  createNamespacedLease(param: { namespace: string; body: LeaseObject }, options?: LeaseRequestOptions): Promise<LeaseObject>;
  replaceNamespacedLease(param: { name: string; namespace: string; body: LeaseObject }, options?: LeaseRequestOptions): Promise<LeaseObject>;
}

/** A `KubeConfig` of `@kubernetes/client-node`, as far as the store needs it. */
export interface KubeConfigLike {
  makeApiClient(apiClass: never): unknown;
  getCurrentCluster(): { readonly server: string } | null;
  getCurrentContext(): string;
  getContextObject(name: string): { readonly namespace?: string } | null;
}
