import { SetMetadata } from '@nestjs/common';
import { ON_RELEASE_MASTER } from '../cluster.constants.js';

/**
 * Runs the method when the leader this node knew is gone (lost, stepped down or replaced).
 * Callbacks of one provider run in event order, each awaited before the next.
 *
 * @example
 * @OnReleaseMaster()
 * leaderGone() { this.cache.clear(); }
 */
export const OnReleaseMaster = (): MethodDecorator => SetMetadata(ON_RELEASE_MASTER, true);
