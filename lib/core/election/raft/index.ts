export { RaftNode, RaftUsageError } from './raft-node.js';
export { raftConfigFrom, resolveRaftConfig } from './config.js';
export type { RaftConfig, ResolvedRaftConfig } from './config.js';
export type * from './messages.js';
export type { PersistentState, RaftRole, RaftStatus, Ready } from './types.js';
export { quorumSize } from './quorum.js';
export { leaseEnd, leaseSpan, safeToActAfterVote } from './lease.js';
export { ClusterStateCorruptError, FileStateStore } from './file-state-store.js';
export type { RaftStateStore } from './file-state-store.js';
