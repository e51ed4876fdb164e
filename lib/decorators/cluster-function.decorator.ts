import { SetMetadata } from '@nestjs/common';
import { CLUSTER_FUNCTION } from '../cluster.constants.js';

/**
 * Registers the method as a function other nodes can call with `callFunc` (the seed's
 * RegisterFunc). It receives the parameter and the call context; the name defaults to the
 * method's name and must be unique in the application.
 *
 * @example
 * @ClusterFunction('processData')
 * process(input: string) { return `processed: ${input}`; }
 */
export const ClusterFunction = (name?: string): MethodDecorator => (target, key, descriptor) => {
  SetMetadata(CLUSTER_FUNCTION, name ?? String(key))(target, key, descriptor);
};
