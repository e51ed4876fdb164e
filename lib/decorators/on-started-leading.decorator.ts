import { SetMetadata } from '@nestjs/common';
import { ON_STARTED_LEADING } from '../cluster.constants.js';

/**
 * Runs the method when this node becomes the acting leader; receives the leader context `{ term, signal, fencingToken }`.
 * Callbacks of one provider run in event order, each awaited before the next.
 *
 * @example
 * @OnStartedLeading()
 * start({ signal }: LeaderContext) { this.feeder.run(signal); }
 */
export const OnStartedLeading = (): MethodDecorator => SetMetadata(ON_STARTED_LEADING, true);
