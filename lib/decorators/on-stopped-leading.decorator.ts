import { SetMetadata } from '@nestjs/common';
import { ON_STOPPED_LEADING } from '../cluster.constants.js';

/**
 * Runs the method when this node stops acting as leader (always after a matching OnStartedLeading).
 * Callbacks of one provider run in event order, each awaited before the next.
 *
 * @example
 * @OnStoppedLeading()
 * stop() { this.feeder.stop(); }
 */
export const OnStoppedLeading = (): MethodDecorator => SetMetadata(ON_STOPPED_LEADING, true);
