// The stand-in of the Kubernetes API server's Lease endpoints lives beside the bench, which runs it
// for node processes too; tests use the same one.
export * from '../../bench/support/lease-api-server.js';
