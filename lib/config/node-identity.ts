import { hostname, networkInterfaces } from 'node:os';
import type { ParsedNodeOptions } from './nodes-option.js';
import { fail } from './option-checks.js';

/** What this process knows about itself, gathered once (and injected in tests). */
export interface HostIdentity {
  readonly envNodeName: string | undefined;
  /** Env CLUSTER_NODES: the node list, read when the `nodes` option is not given. */
  readonly envNodes?: string;
  readonly hostname: string;
  /** Env HOSTNAME: on Kubernetes, the pod's name (a StatefulSet's `web-0`, `web-1`, ...). */
  readonly envHostname?: string;
  readonly addresses: readonly string[];
}

export function currentHost(): HostIdentity {
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((info) => info.address);
  return {
    envNodeName: process.env.CLUSTER_NODE_NAME || undefined,
    envNodes: process.env.CLUSTER_NODES || undefined,
    hostname: hostname(),
    envHostname: process.env.HOSTNAME || undefined,
    addresses,
  };
}

/**
 * Which configured node is this process, in the order DESIGN §3 gives: `nodeName`, then env
 * CLUSTER_NODE_NAME, then the one `local: true` entry, then (issue #14, Kubernetes) a node *name*
 * equal to env HOSTNAME or this host's name (a StatefulSet pod is named `web-0`, and so is its
 * node), then an exact match of this host's addresses or hostname with a node's host. Never a
 * substring match: "10.0.0.1" must not match "10.0.0.12", nor "web-1" "web-10".
 */
export function identifySelf(
  nodes: readonly ParsedNodeOptions[],
  nodeName: string | undefined,
  host: HostIdentity,
): ParsedNodeOptions {
  const names = nodes.map((n) => n.name).join(', ');
  const byName = (name: string, field: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) fail(field, `"${name}" is not in nodes (${names}).`);
    return node;
  };
  if (nodeName !== undefined) return byName(nodeName, 'nodeName');
  if (host.envNodeName !== undefined) return byName(host.envNodeName, 'CLUSTER_NODE_NAME');

  const local = nodes.filter((n) => n.local === true);
  if (local.length > 1) {
    fail('nodes', `${local.map((n) => n.name).join(', ')} are all marked local; mark one, or set nodeName.`);
  }
  if (local.length === 1) return local[0]!;

  // One list serves every pod, so nothing in it can say which entry is this pod; its name can.
  for (const podName of [host.envHostname, host.hostname]) {
    const named = nodes.find((n) => n.name === podName);
    if (named) return named;
  }

  const own = new Set([...host.addresses, host.hostname]);
  const matches = nodes.filter((n) => own.has(n.ip));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    fail('nodes', `${matches.map((n) => n.name).join(', ')} all match this host; set nodeName or CLUSTER_NODE_NAME.`);
  }
  fail(
    'nodes',
    `no entry matches this process (host "${host.hostname}"); set nodeName or env ` +
      `CLUSTER_NODE_NAME to one of ${names}, or mark this entry local: true.`,
  );
}
