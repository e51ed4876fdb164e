import { Controller, Get, Param } from '@nestjs/common';
import { ClusterService, newFuncSpec } from 'nest-cluster';
import { randomUUID } from 'node:crypto';

@Controller()
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  /** This node's view of the cluster. */
  @Get('cluster')
  status() {
    return {
      node: this.cluster.getMyName(),
      leader: this.cluster.getLeaderName() ?? null,
      isLeader: this.cluster.isLeader(),
      ready: this.cluster.isReady(),
      term: this.cluster.getMyTerm(),
      alive: this.cluster.getAliveNodeNames(),
      lost: this.cluster.getLostNodeNames(),
    };
  }

  /** Calls the `hello` cluster function on `node`. */
  @Get('hello/:node/:name')
  async hello(@Param('node') node: string, @Param('name') name: string) {
    const spec = newFuncSpec<string>(node, 'hello', name, 3000).setTraceId(randomUUID());
    return { result: await this.cluster.callFunc(spec) };
  }
}
