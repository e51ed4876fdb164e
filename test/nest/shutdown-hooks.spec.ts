import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterModule, type ClusterModuleOptions } from 'nest-cluster';
import { SHUTDOWN_HOOKS_GRACE_MS } from '../../lib/cluster.shutdown-hooks.js';
import { memoryLogger } from '../helpers/clusters.js';
import { freePorts } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

const WARNING = /^No SIGTERM handler after the application started: call app\.enableShutdownHooks\(\) in main\.ts\. Without it a deploy kills this node without handing leadership over/;
const HANDLED = 'Shutdown hooks: SIGTERM is handled, so a deploy hands leadership over.';

let apps: TestingModule[] = [];
beforeEach(() => {
  // Each case starts from a process without SIGTERM listeners, or it would prove nothing.
  expect(process.listenerCount('SIGTERM')).toBe(0);
});
afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
  expect(process.listenerCount('SIGTERM')).toBe(0);
});

async function compiled(options: ClusterModuleOptions, graceMs = 20) {
  const logger = memoryLogger();
  const app = await Test.createTestingModule({ imports: [ClusterModule.forRoot({ ...options, logger })] })
    .overrideProvider(SHUTDOWN_HOOKS_GRACE_MS)
    .useValue(graceMs)
    .compile();
  apps.push(app);
  const said = (level: string) => logger.lines.filter((l) => l.level === level).map((l) => l.message);
  return { app, said };
}

async function oneNode(): Promise<ClusterModuleOptions> {
  const [port] = await freePorts(1);
  return { mode: 'cluster', nodes: [{ name: 'solo', ip: '127.0.0.1', port: port! }], nodeName: 'solo' };
}

describe('a missing app.enableShutdownHooks() is reported (issue #12)', () => {
  it('warns once the application started without a SIGTERM handler', async () => {
    const { app, said } = await compiled(await oneNode());
    await app.init();
    await waitFor(() => said('warn').some((m) => WARNING.test(m)), { what: 'the shutdown-hooks warning' });
    expect(said('warn').filter((m) => WARNING.test(m))).toHaveLength(1);
    expect(said('debug')).not.toContain(HANDLED);
  });

  it('is satisfied by hooks enabled before bootstrap, at once', async () => {
    const { app, said } = await compiled(await oneNode(), 60_000);
    app.enableShutdownHooks();
    await app.init();
    expect(said('debug')).toContain(HANDLED);
    expect(said('warn').filter((m) => WARNING.test(m))).toEqual([]);
  });

  it('is satisfied by hooks enabled after bootstrap, as after `await app.listen()`', async () => {
    const { app, said } = await compiled(await oneNode());
    await app.init();
    app.enableShutdownHooks();
    await waitFor(() => said('debug').includes(HANDLED), { what: 'the second look to find the handler' });
    expect(said('warn').filter((m) => WARNING.test(m))).toEqual([]);
  });

  it('says nothing in single mode or when disabled', async () => {
    for (const options of [{ mode: 'single' }, { ...(await oneNode()), enable: false }] as ClusterModuleOptions[]) {
      const { app, said } = await compiled(options, 0);
      await app.init();
      expect(said('debug')).not.toContain(HANDLED); // the check did not run at all
      await app.close();
      expect(said('warn').filter((m) => WARNING.test(m))).toEqual([]);
    }
  });
});
