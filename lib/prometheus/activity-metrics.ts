import { Counter, Histogram, type Registry } from 'prom-client';
import type { ClusterInstrumentation } from '../core/instrumentation/instrumentation.js';

/** Seconds: from a millisecond local call to a leader job of minutes. */
const JOB_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600];

/**
 * Calls and leader-job runs as they happen, through the cluster's instrumentation hooks: each
 * is counted by name and outcome, and timed (base unit: seconds).
 */
export function activityMetrics(registry: Registry): ClusterInstrumentation {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets?: number[]) =>
    new Histogram({ name, help, labelNames, registers: [registry], ...(buckets && { buckets }) });

  const calls = counter('nest_cluster_calls_total', 'Calls this node made (callFunc), by function and outcome.', ['function', 'outcome']);
  const callSeconds = histogram('nest_cluster_call_duration_seconds', 'Time from callFunc to its outcome, by function and outcome.', ['function', 'outcome']);
  const served = counter(
    'nest_cluster_calls_served_total',
    'Calls this node served (its registered functions run for a caller), by function and outcome.',
    ['function', 'outcome'],
  );
  const runs = counter('nest_cluster_leader_job_runs_total', 'Leader-job runs on this node, by job and outcome.', ['job', 'outcome']);
  const runSeconds = histogram('nest_cluster_leader_job_duration_seconds', 'Duration of leader-job runs, by job and outcome.', ['job', 'outcome'], JOB_BUCKETS);
  const skipped = counter(
    'nest_cluster_leader_job_skipped_total',
    'Leader-job runs that did not start, by job and reason (busy, lease_expired, leadership_ended).',
    ['job', 'reason'],
  );
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
