/** A configured member of the cluster, as given in `nodes`. */
export interface NodeConfig {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
}

/** A node as the cluster reports it: its address and whether it is reachable now. */
export interface ClusterNode extends NodeConfig {
  /** `ip:port`, the address other nodes dial. */
  readonly address: string;
  /** Connected and heard from within the election timeout (always true for this node). */
  readonly alive: boolean;
}

export function nodeAddress(node: NodeConfig): string {
  return node.ip.includes(':') ? `[${node.ip}]:${node.port}` : `${node.ip}:${node.port}`;
}
