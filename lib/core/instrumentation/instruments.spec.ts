import { describe, expect, it } from 'vitest';
import { newFuncSpec } from '../rpc/func-spec.js';
import { createCluster } from '../../create-cluster.js';
import type { ClusterInstrumentation } from './instrumentation.js';
import { memoryLogger } from '../../../test/helpers/clusters.js';

async function single() {
  const logger = memoryLogger();
  const cluster = createCluster({ mode: 'single', logger });
  cluster.registerFunc('echo', (v: unknown) => v);
  await cluster.startUp();
  return { cluster, logger };
}

describe('instrumentation hooks', () => {
  it('a hook that throws never changes a call or a job run, and is logged once', async () => {
    const { cluster, logger } = await single();
    const broken: ClusterInstrumentation = {
      callMade: () => {
        throw new Error('adapter bug');
      },
      leaderJobRun: () => ({
        end: () => {
          throw new Error('adapter bug at end');
        },
      }),
    };
    cluster.addInstrumentation(broken);
    await expect(cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 1))).resolves.toBe(1);
    await expect(cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 2))).resolves.toBe(2);
    expect(cluster.callAsLeader('job', () => 'ran')).toEqual({ value: 'ran' });
    expect(logger.lines.filter((l) => l.message.includes('instrumentation failed'))).toHaveLength(1);
    await cluster.close();
  });

  it('every registered instrumentation sees each call once, with its outcome and a duration; removed ones see none', async () => {
    const { cluster } = await single();
    const seen: string[][] = [[], []];
    const hooks = seen.map(
      (log): ClusterInstrumentation => ({
        callMade: ({ funcName, local }) => ({
          end: ({ outcome, durationSeconds }) => void log.push(`${funcName} ${local} ${outcome} ${durationSeconds >= 0}`),
        }),
      }),
    );
    for (const h of hooks) cluster.addInstrumentation(h);
    await cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 1));
    expect(cluster.removeInstrumentation(hooks[1]!)).toBe(true);
    await expect(cluster.callFunc(newFuncSpec(cluster.getMyName(), 'nope', 1))).rejects.toThrow();
    expect(seen).toEqual([['echo true ok true', 'nope true not_found true'], ['echo true ok true']]);
    expect(cluster.removeInstrumentation(hooks[1]!)).toBe(false);
    await cluster.close();
  });
});
