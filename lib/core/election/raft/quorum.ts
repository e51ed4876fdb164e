/** Raft thesis §3.4: a majority of the configured nodes. */
export function quorumSize(nodeCount: number): number {
  return Math.floor(nodeCount / 2) + 1;
}
