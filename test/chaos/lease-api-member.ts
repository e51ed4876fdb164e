// The stand-in Lease API server as a process of its own, in the chaos run's namespace for it: it
// listens on the address and port the harness names, says so over IPC, and ends with the harness.
import { LeaseApiServer } from '../../bench/support/lease-api-server.js';

const { host, port } = JSON.parse(process.env.CHAOS_LEASE_API ?? '{}') as { host: string; port: number };
await LeaseApiServer.start({ host, port });
process.send?.({ kind: 'listening' });
process.on('disconnect', () => process.exit(0));
