import { NodeNotFoundError } from './errors.js';
import { nodeAddress, type ClusterNode, type NodeConfig } from './node.js';

/** The configured nodes by name, reported with their current liveness. */
export class NodeTable {
  private readonly byName: ReadonlyMap<string, NodeConfig>;

  constructor(
    nodes: readonly NodeConfig[],
    private readonly selfName: string,
    private readonly isAlive: (name: string) => boolean,
  ) {
    this.byName = new Map(nodes.map((node) => [node.name, node]));
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  find(name: string | undefined): ClusterNode | undefined {
    const config = name === undefined ? undefined : this.byName.get(name);
    if (!config) return undefined;
    const alive = config.name === this.selfName || this.isAlive(config.name);
    return { name: config.name, ip: config.ip, port: config.port, address: nodeAddress(config), alive };
  }

  /**
   * A node outside the configured list, known only by name: in redis mode without `nodes`, the
   * leader is learned from the lease. It has no address until the nodes are configured.
   */
  unlisted(name: string): ClusterNode {
    return { name, ip: '', port: 0, address: '', alive: this.isAlive(name) };
  }

  get(name: string): ClusterNode {
    const node = this.find(name);
    if (!node) throw new NodeNotFoundError(name, this.names);
    return node;
  }

  aliveNames(): string[] {
    return this.names.filter((name) => this.find(name)!.alive);
  }

  lostNames(): string[] {
    return this.names.filter((name) => !this.find(name)!.alive);
  }
}
