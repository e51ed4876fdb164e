import { isIP } from 'node:net';
import { ClusterConfigError } from '../errors.js';
import { hostPort, listenHost, type NodeConfig } from '../node.js';

/** Only this machine can reach a listener on a loopback address. */
export function isLoopbackAddress(ip: string): boolean {
  if (ip === 'localhost') return true;
  if (isIP(ip) === 4) return ip.startsWith('127.');
  const lower = ip.toLowerCase();
  return lower === '::1' || lower.startsWith('::ffff:127.');
}

/**
 * Protected mode, after Redis's: registered functions are remote code execution for whoever can
 * connect, so a listener reachable from other machines needs `secret` or `tls`, or an explicit
 * `insecure: true` from someone who has fenced the network another way. It judges the address the
 * listener binds (`bindHost`, issue #14), never a DNS name, which could point anywhere.
 */
export function assertListenAllowed(
  self: NodeConfig,
  options: { readonly secret?: string | undefined; readonly tls?: object | undefined; readonly insecure?: boolean },
): void {
  if (options.secret !== undefined || options.tls !== undefined || options.insecure === true) return;
  if (isLoopbackAddress(listenHost(self))) return;
  throw new ClusterConfigError(
    `Node "${self.name}" would listen on ${hostPort(listenHost(self), self.port)}, which other machines can reach, with ` +
      'no authentication: anyone who connects could call its registered functions. Set `secret` ' +
      '(or env CLUSTER_SECRET) or `tls` on every node, or set `insecure: true` if the network is ' +
      'already closed to strangers.',
  );
}

/**
 * Issue #10 finding 8: `insecure: true` on an address other machines can reach is allowed, but
 * must not pass unnoticed; the transport logs this at start.
 */
export function insecureListenWarning(
  self: NodeConfig,
  options: { readonly secret?: string | undefined; readonly tls?: object | undefined; readonly insecure?: boolean },
): string | undefined {
  if (options.secret !== undefined || options.tls !== undefined || options.insecure !== true) return undefined;
  if (isLoopbackAddress(listenHost(self))) return undefined;
  return (
    `Node "${self.name}" listens on ${hostPort(listenHost(self), self.port)} with \`insecure: true\` and no authentication: ` +
    'anyone who can reach that address can join the election and call its registered functions.'
  );
}
