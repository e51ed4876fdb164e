/** A configured member of the cluster, as given in `nodes`. */
export interface NodeConfig {
  readonly name: string;
  /** The configured `host` (or the seed's `ip`): an IP, or a DNS name resolved at every dial. */
  readonly ip: string;
  readonly port: number;
  /** The IP this node listens on, when it is not `ip` (options `nodes[].bindHost`). */
  readonly bindHost?: string;
}

/** A node as the cluster reports it: its address and whether it is reachable now. */
export interface ClusterNode extends NodeConfig {
  /** `ip:port`, the address other nodes dial. */
  readonly address: string;
  /** Connected and heard from within the election timeout (always true for this node). */
  readonly alive: boolean;
}

export function nodeAddress(node: NodeConfig): string {
  return hostPort(node.ip, node.port);
}

/** Where this node's listener binds: `bindHost`, else its configured address. */
export function listenHost(node: NodeConfig): string {
  return node.bindHost ?? node.ip;
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
