// One allocator for tests and benches; see bench/support/ports.ts for why it avoids the ephemeral range.
export { freePort, freePorts } from '../../bench/support/ports.js';
