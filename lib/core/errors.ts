/**
 * Every error the cluster raises is a `ClusterError` with a stable `code`, in the style of Node's
 * own `ERR_*` codes, so callers can branch on `err.code` instead of parsing messages.
 */
export class ClusterError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad option, decorator or registration; raised at boot with the field and the fix. */
export class ClusterConfigError extends ClusterError {
  constructor(message: string) {
    super('ERR_CLUSTER_CONFIG', message);
  }
}

/** The cluster has not started, or has no leader yet. */
export class NotReadyError extends ClusterError {
  constructor(message: string) {
    super('ERR_CLUSTER_NOT_READY', message);
  }
}

export class NodeNotFoundError extends ClusterError {
  constructor(readonly nodeName: string, knownNodes: readonly string[]) {
    super(
      'ERR_CLUSTER_NODE_NOT_FOUND',
      `Node "${nodeName}" is not in this cluster; known nodes: ${knownNodes.join(', ') || '(none)'}.`,
    );
  }
}

/** The node is configured but cannot be reached now (down, partitioned, or closing). */
export class NodeUnavailableError extends ClusterError {
  constructor(readonly nodeName: string, reason: string) {
    super('ERR_CLUSTER_NODE_UNAVAILABLE', `Node "${nodeName}" is unavailable: ${reason}.`);
  }
}

export class FunctionNotFoundError extends ClusterError {
  constructor(readonly nodeName: string, readonly funcName: string) {
    super(
      'ERR_CLUSTER_FUNCTION_NOT_FOUND',
      `Function "${funcName}" is not registered on node "${nodeName}"; register it with ` +
        `@ClusterFunction('${funcName}') or registerFunc() on every node that should serve it.`,
    );
  }
}

export class TimeoutError extends ClusterError {
  constructor(message: string) {
    super('ERR_CLUSTER_TIMEOUT', message);
  }
}

/**
 * The called function threw. The callee's error name, message and code are kept as they were, so
 * `err.remoteCode === 'ENOENT'` works the same for a local and a remote call.
 */
export class RemoteFunctionError extends ClusterError {
  constructor(
    readonly nodeName: string,
    readonly funcName: string,
    readonly remoteName: string,
    readonly remoteMessage: string,
    readonly remoteCode?: string,
    readonly remoteStack?: string,
  ) {
    super(
      'ERR_CLUSTER_REMOTE_FUNCTION',
      `Function "${funcName}" on node "${nodeName}" failed: ${remoteName}: ${remoteMessage}`,
    );
  }
}

export class ShuttingDownError extends ClusterError {
  constructor(message = 'The cluster is shutting down or closed.') {
    super('ERR_CLUSTER_SHUTTING_DOWN', message);
  }
}

/** Why the transport dropped a connection: each one is counted in `Transport.stats()`. */
export type ViolationReason =
  | 'frame-too-large'
  | 'malformed-frame'
  | 'malformed-message'
  | 'unknown-type'
  | 'unexpected-message'
  | 'version-mismatch'
  | 'cluster-mismatch'
  | 'unknown-node'
  | 'auth-failed'
  | 'handshake-timeout'
  | 'too-many-handshakes'
  | 'tls-refused'
  /** A sealed frame failed to open (secret mode): tampered, injected, replayed, reordered or after a loss. */
  | 'frame-auth-failed'
  /** A TLS peer whose certificate does not name the node it claims to be. */
  | 'identity-mismatch';

/**
 * A peer broke the wire protocol (bad frame, unknown message, failed handshake). The transport
 * destroys that one connection and counts `reason`; it never reaches user code.
 */
export class ProtocolError extends ClusterError {
  constructor(
    readonly reason: ViolationReason,
    message: string,
  ) {
    super('ERR_CLUSTER_PROTOCOL', message);
  }
}
