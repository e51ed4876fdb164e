import { SetMetadata } from '@nestjs/common';
import { ON_NEW_LEADER } from '../cluster.constants.js';

/**
 * Runs the method when a leader becomes known, on every node (the leader too); receives the leader's name.
 * Callbacks of one provider run in event order, each awaited before the next.
 *
 * @example
 * @OnNewLeader()
 * leaderIs(name: string) { this.logger.log(`leader: ${name}`); }
 */
export const OnNewLeader = (): MethodDecorator => SetMetadata(ON_NEW_LEADER, true);
