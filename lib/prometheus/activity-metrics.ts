import { Counter, Histogram, type Registry } from 'prom-client';
import type { ClusterInstrumentation } from '../core/instrumentation/instrumentation.js';

/** Seconds: from a millisecond local call to a leader job of minutes. */
const JOB_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600];

/**
 * Calls and leader-job runs as they happen, through the cluster's instrumentation hooks: each
 * is counted by name and outcome, and timed (base unit: seconds).
 */
export function activityMetrics(registry: Registry): ClusterInstrumentation {
  const registers = [registry];
  const calls = new Counter({
    name: 'nest_cluster_calls_total',
    help: 'Calls this node made (callFunc), by function and outcome.',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const callSeconds = new Histogram({
    name: 'nest_cluster_call_duration_seconds',
    help: 'Time from callFunc to its outcome, by function and outcome.',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const served = new Counter({
    name: 'nest_cluster_calls_served_total',
    help: 'Calls this node served (its registered functions run for a caller), by function and outcome.',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const runs = new Counter({
    name: 'nest_cluster_leader_job_runs_total',
    help: 'Leader-job runs on this node, by job and outcome.',
    labelNames: ['job', 'outcome'],
    registers,
  });
  const runSeconds = new Histogram({
    name: 'nest_cluster_leader_job_duration_seconds',
    help: 'Duration of leader-job runs, by job and outcome.',
    labelNames: ['job', 'outcome'],
    buckets: JOB_BUCKETS,
    registers,
  });
  const skipped = new Counter({
    name: 'nest_cluster_leader_job_skipped_total',
    help: 'Leader-job runs that did not start, by job and reason (busy, lease_expired, leadership_ended).',
    labelNames: ['job', 'reason'],
    registers,
  });
  return {
    callMade: ({ funcName }) => ({
      end: ({ outcome, durationSeconds }) => {
        calls.inc({ function: funcName, outcome });
        callSeconds.observe({ function: funcName, outcome }, durationSeconds);
      },
    }),
    callServed: ({ funcName }) => ({
      end: ({ outcome }) => served.inc({ function: funcName, outcome }),
    }),
    leaderJobRun: ({ job }) => ({
      end: ({ outcome, durationSeconds }) => {
        runs.inc({ job, outcome });
        runSeconds.observe({ job, outcome }, durationSeconds);
      },
    }),
    leaderJobSkipped: (job, reason) => skipped.inc({ job, reason }),
  };
}
