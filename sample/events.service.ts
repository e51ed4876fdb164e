import { Injectable, Logger } from '@nestjs/common';
import { ClusterService } from 'nest-cluster';

/**
 * Logs every cluster event as it happens: the seed's event list, as an RxJS stream. The stream
 * completes when the cluster closes, so there is nothing to unsubscribe.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger('ClusterEvents');

  constructor(cluster: ClusterService) {
    cluster.events$.subscribe((event) =>
      this.logger.log(`${event.type} term=${event.term} leader=${event.leaderName ?? '-'}`),
    );
  }
}
