// Redis specs name the lease-mode node set by their store.
export { FAST, LeaseNodes as RedisNodes, type LeaseNode as RedisNode } from './lease-nodes.js';
