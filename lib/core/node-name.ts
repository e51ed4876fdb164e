/**
 * The longest node name the cluster accepts. Names travel in election messages and lease values,
 * and both refuse longer ones (DESIGN §5, §6), so a configured name must fit too.
 */
export const MAX_NODE_NAME_LENGTH = 256;

/** A non-empty node name of at most {@link MAX_NODE_NAME_LENGTH} characters. */
export function isNodeName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NODE_NAME_LENGTH;
}
