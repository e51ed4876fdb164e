import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../core/errors.js';
import { resolveClusterOptions } from './resolve-options.js';

/** The list every pod of a three-replica StatefulSet `web` gets, by pod DNS name. */
const pods = 'web-0@web-0.web:7000,web-1@web-1.web:7000,web-10@web-10.web:7000';

describe('identity on Kubernetes (issue #14)', () => {
  const saved = { HOSTNAME: process.env.HOSTNAME, CLUSTER_NODE_NAME: process.env.CLUSTER_NODE_NAME };
  const restore = (name: keyof typeof saved) => {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  };
  beforeEach(() => {
    delete process.env.CLUSTER_NODE_NAME;
  });
  afterEach(() => {
    restore('HOSTNAME');
    restore('CLUSTER_NODE_NAME');
  });

  it('finds this pod by env HOSTNAME, matched exactly against node names', () => {
    process.env.HOSTNAME = 'web-1';
    expect(resolveClusterOptions({ nodes: pods, secret: 'a'.repeat(16), logger: false }).self.name).toBe('web-1');
    process.env.HOSTNAME = 'web-10';
    expect(resolveClusterOptions({ nodes: pods, logger: false }).self.name).toBe('web-10');
  });

  it('lets env CLUSTER_NODE_NAME, and the nodeName option, win over HOSTNAME', () => {
    process.env.HOSTNAME = 'web-1';
    process.env.CLUSTER_NODE_NAME = 'web-0';
    expect(resolveClusterOptions({ nodes: pods, logger: false }).self.name).toBe('web-0');
    expect(resolveClusterOptions({ nodes: pods, nodeName: 'web-10', logger: false }).self.name).toBe('web-10');
  });

  it('matches no node by a prefix of its name, and then says how to name this process', () => {
    process.env.HOSTNAME = 'web';
    let error: unknown;
    try {
      resolveClusterOptions({ nodes: pods, logger: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect((error as Error).message).toMatch(/no entry matches this process .*CLUSTER_NODE_NAME/s);
  });
});

describe('the bind address (issue #14)', () => {
  const resolve = (node: Record<string, unknown>) =>
    resolveClusterOptions({ nodes: [{ name: 'a', port: 7000, ...node } as never, { name: 'b', host: 'b.svc', port: 7000 }], nodeName: 'a', logger: false });

  it('is every IPv4 interface for a node named by DNS, and the IP itself for one given by IP', () => {
    expect(resolve({ host: 'a.svc' }).self).toEqual({ name: 'a', ip: 'a.svc', port: 7000, bindHost: '0.0.0.0' });
    expect(resolve({ host: '10.0.0.1' }).self).toEqual({ name: 'a', ip: '10.0.0.1', port: 7000 });
    expect(resolve({ ip: 'localhost' }).self).toEqual({ name: 'a', ip: 'localhost', port: 7000 });
  });

  it('is `bindHost` when given, and stays this process’s own: peers carry none', () => {
    const settings = resolve({ host: 'a.svc', bindHost: '127.0.0.5' });
    expect(settings.self.bindHost).toBe('127.0.0.5');
    expect(settings.nodes).toEqual([settings.self, { name: 'b', ip: 'b.svc', port: 7000 }]);
  });
});
