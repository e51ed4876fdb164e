// Tests and benches start their database servers alike: one implementation, in bench/support.
export * from '../../bench/support/server-user.js';
