import { ClusterError } from '../errors.js';
import type { CallMadeOutcome } from './instrumentation.js';

const BY_CODE: Readonly<Record<string, CallMadeOutcome>> = {
  ERR_CLUSTER_REMOTE_FUNCTION: 'error',
  ERR_CLUSTER_FUNCTION_NOT_FOUND: 'not_found',
  ERR_CLUSTER_NODE_NOT_FOUND: 'not_found',
  ERR_CLUSTER_TIMEOUT: 'timeout',
  ERR_CLUSTER_NODE_UNAVAILABLE: 'unavailable',
  ERR_CLUSTER_NOT_READY: 'refused',
  ERR_CLUSTER_SHUTTING_DOWN: 'refused',
  ERR_CLUSTER_INVALID_ARGUMENT: 'refused',
};

/** The outcome label of a call made that rejected with `error` (the errors of DESIGN §3 calls). */
export function callMadeOutcome(error: unknown): CallMadeOutcome {
  return (error instanceof ClusterError && BY_CODE[error.code]) || 'failed';
}
