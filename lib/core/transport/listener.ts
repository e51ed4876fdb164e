import type { Server, Socket } from 'node:net';
import { ClusterError } from '../errors.js';
import { errorText, type ClusterLogger } from '../logger.js';
import { hostPort, listenHost, type NodeConfig } from '../node.js';
import { createListener, remoteAddressOf, type SocketOptions } from './sockets.js';
import type { ViolationLog } from './violation-log.js';

export interface ListenerHandlers {
  /** Every accepted socket, raw (handshake-slots.ts counts it from this moment). */
  onRawSocket(socket: Socket): void;
  /** A socket ready for the node handshake. */
  onSocket(socket: Socket): void;
}

/**
 * Binds this node's listener. TLS clients that fail the TLS handshake are counted as violations
 * naming the remote (DESIGN §6). Rejects with ERR_CLUSTER_LISTEN when the address cannot be bound;
 * resolves undefined when `server.close()` came first (the owner closed during the listen).
 */
export async function listen(
  self: NodeConfig,
  options: SocketOptions,
  handlers: ListenerHandlers,
  violations: ViolationLog,
  logger: ClusterLogger,
  onServer: (server: Server) => void,
): Promise<Server | undefined> {
  const server = createListener(options, {
    ...handlers,
    onTlsRefused: (error, socket) => {
      const reason = /timeout/i.test(error.message) ? 'handshake-timeout' : 'tls-refused';
      violations.record(reason, error.message, remoteAddressOf(socket));
      socket.destroy();
    },
  });
  onServer(server);
  let closedFirst = false;
  await new Promise<void>((resolve, reject) => {
    // A close() during the listen: Node drops the pending listen, and its callback never comes.
    const onClose = () => {
      closedFirst = true;
      resolve();
    };
    server.once('error', reject);
    server.once('close', onClose);
    // Issue #14: `bindHost` when the node's host is a name (or given); its IP otherwise.
    server.listen({ host: listenHost(self), port: self.port }, () => {
      server.off('error', reject);
      server.off('close', onClose);
      resolve();
    });
  }).catch((error: unknown) => {
    throw new ClusterError('ERR_CLUSTER_LISTEN', `Node "${self.name}" cannot listen on ${hostPort(listenHost(self), self.port)}: ${errorText(error)}.`, {
      cause: error,
    });
  });
  if (closedFirst) return undefined;
  server.on('error', (error) => logger.error(`Cluster listener error: ${errorText(error)}`));
  return server;
}
