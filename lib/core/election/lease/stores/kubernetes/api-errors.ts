import { ClusterError } from '../../../../errors.js';

/** A failed call to the Kubernetes API server, said in one sentence with what to do about it. */
export class KubernetesApiError extends ClusterError {
  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super('ERR_CLUSTER_KUBERNETES_API', message, options);
  }
}

/** The HTTP status of a client-node `ApiException` (`code`), or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code < 600 ? code : undefined;
}

/** The Status message the API server sent with an error, cut short; the body is hostile too. */
function serverMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  let message: unknown;
  try {
    message = typeof body === 'string' ? (JSON.parse(body) as { message?: unknown }).message : (body as { message?: unknown } | null)?.message;
  } catch {
    message = undefined;
  }
  return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
}

/** Where a network error came from: `ECONNREFUSED`, `ETIMEDOUT`, an abort. */
function causeOf(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (name === 'AbortError' || name === 'TimeoutError') return 'no answer in time';
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Issue #14 errors: a 403 (the service account lacks RBAC), an unreachable API server and every
 * other status each become one clear sentence naming the lease and what to do.
 */
export function apiError(error: unknown, verb: string, lease: string, server: string): KubernetesApiError {
  const status = statusOf(error);
  if (status === 403) {
    return new KubernetesApiError(
      `403 Forbidden: this pod's service account may not ${verb} leases (coordination.k8s.io) in the namespace of ${lease}; grant get, create and update on leases there (see sample/kubernetes/lease-rbac.yaml)${serverMessage(error)}`,
      status,
      { cause: error },
    );
  }
  if (status === 401) {
    return new KubernetesApiError(`401 Unauthorized: the API server refused this pod's credentials to ${verb} ${lease}${serverMessage(error)}`, status, { cause: error });
  }
  if (status !== undefined) {
    return new KubernetesApiError(`the API server answered ${status} to ${verb} ${lease}${serverMessage(error)}`, status, { cause: error });
  }
  return new KubernetesApiError(`the API server at ${server} is unreachable (${causeOf(error)}) to ${verb} ${lease}`, undefined, { cause: error });
}
