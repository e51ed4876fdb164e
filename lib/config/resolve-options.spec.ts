import { describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../core/errors.js';
import type { ClusterModuleOptions } from './cluster-options.js';
import type { HostIdentity } from './node-identity.js';
import { stderrLogger } from '../core/logger.js';
import { defaultOptions } from './defaults.js';
import { resolveClusterOptions } from './resolve-options.js';

const host: HostIdentity = { envNodeName: undefined, hostname: 'box-a', addresses: ['127.0.0.1', '10.0.0.12'] };
const three = [
  { name: 'n1', ip: '10.0.0.1', port: 7001 },
  { name: 'n2', ip: '10.0.0.2', port: 7002 },
  { name: 'n3', ip: '10.0.0.3', port: 7003 },
];
const resolve = (options: ClusterModuleOptions, h: HostIdentity = host) =>
  resolveClusterOptions({ logger: false, ...options }, h);
const rejection = (options: ClusterModuleOptions, h: HostIdentity = host): string => {
  try {
    resolve(options, h);
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the options to be rejected');
};

describe('resolveClusterOptions', () => {
  it('fills the defaults of DESIGN §3 from timeout T', () => {
    const s = resolve({ mode: 'cluster', nodes: three, nodeName: 'n2' });
    expect(s).toMatchObject({
      mode: 'cluster',
      enabled: true,
      self: { name: 'n2', ip: '10.0.0.2', port: 7002 },
      electionTimeoutMs: 1000,
      heartbeatIntervalMs: 100,
      leaseMs: 500,
      clockDriftBound: 0.05,
      eventLoopMarginMs: 50,
      insecure: false,
      maxFrameBytes: 16 * 1024 * 1024,
      redisDiscovery: { electionInterval: 15_000, electionPeriod: 30_000, syncLeaderInterval: 10_000 },
    });
    expect(s.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
  });

  it('accepts the seed spellings: enable as a string, timeout in seconds', () => {
    expect(resolve({ mode: 'single', enable: 'false' }).enabled).toBe(false);
    expect(resolve({ mode: 'single', enable: 'true' }).enabled).toBe(true);
    const s = resolve({ mode: 'single', timeout: 10 });
    expect([s.electionTimeoutMs, s.heartbeatIntervalMs, s.leaseMs]).toEqual([10_000, 1000, 5000]);
    expect(resolve({ mode: 'single', timeout: 10, electionTimeoutMs: 300 }).electionTimeoutMs).toBe(300);
  });

  it('single mode without nodes is a cluster of one named after nodeName, env or host', () => {
    expect(resolve({ mode: 'single' }).self.name).toBe('box-a');
    expect(resolve({ mode: 'single' }, { ...host, envNodeName: 'from-env' }).self.name).toBe('from-env');
    const s = resolve({ mode: 'single', nodeName: 'solo' });
    expect(s.self.name).toBe('solo');
    expect(s.nodes).toEqual([s.self]);
  });

  it.each([
    [{ mode: 'raft' }, /`mode`.*'cluster', 'single', 'redis'/],
    [{ enable: 'yes' }, /`enable`/],
    [{ mode: 'cluster' }, /`nodes`: cluster mode needs the list/],
    [{ nodes: [...three, { name: 'n1', ip: '10.0.0.9', port: 1 }], nodeName: 'n1' }, /`nodes\[3\]\.name`: "n1" is used twice/],
    [{ nodes: [{ name: 'n1', ip: '10.0.0.1', port: 70000 }], nodeName: 'n1' }, /`nodes\[0\]\.port`: 70000 is out of range/],
    [{ nodes: [{ name: '', ip: '10.0.0.1', port: 1 }] }, /`nodes\[0\]\.name`/],
    [{ nodes: [{ name: 'a', ip: '', port: 1 }] }, /`nodes\[0\]\.ip`/],
    [{ nodes: [{ name: 'n'.repeat(257), ip: '10.0.0.1', port: 1 }] }, /`nodes\[0\]\.name`.*257 characters long; node names may have at most 256/],
    [{ mode: 'redis', redis: { url: 'redis://x' }, nodeName: 'n'.repeat(300) }, /`nodeName`.*at most 256/],
    [{ nodes: three, nodeName: 'n9' }, /`nodeName`: "n9" is not in nodes \(n1, n2, n3\)/],
    [{ mode: 'single', timeout: -1 }, /`timeout`/],
    [{ mode: 'single', heartbeatIntervalMs: 800 }, /`heartbeatIntervalMs`/],
    [{ mode: 'single', leaseMs: 1500 }, /`leaseMs`.*must not exceed the election timeout/],
    [{ mode: 'single', clockDriftBound: 0.7 }, /`clockDriftBound`/],
    [{ mode: 'single', secret: 'short' }, /`secret`/],
    [{ mode: 'single', secret: '15 characters!!' }, /`secret`: expected a string of at least 16 characters/],
    [{ mode: 'single', redisDiscovery: { electionInterval: 10_000, electionPeriod: 10_000 } }, /`redisDiscovery\.electionPeriod`.*longer than/],
    [{ mode: 'redis' }, /`redis`: redis mode needs a client/],
    [{ mode: 'redis', redis: { url: 'http://x' } }, /`redis\.url`: expected a redis:\/\/ or rediss:\/\/ URL/],
    [{ mode: 'redis', redis: { client: {} as never } }, /`redis\.client`: expected an ioredis Redis or Cluster client/],
    [{ mode: 'redis', redis: { host: 'x' } as never }, /`redis\.host`: unknown option/],
    [{ mode: 'redis', redis: { url: 'redis://x' }, redisDiscovery: { inject: 'REDIS' } }, /`redisDiscovery\.inject`: give either/],
    [{ mode: 'redis', redisDiscovery: { inject: 42 as never } }, /`redisDiscovery\.inject`: expected a Nest injection token/],
    [{ mode: 'redis', redis: { url: 'redis://x' }, redisDiscovery: { dataPath: 'a{b}' } }, /`redisDiscovery\.dataPath`.*brace/],
    [{ mode: 'redis', redis: { url: 'redis://x' }, redisDiscovery: { beanName: 'x' } as never }, /`redisDiscovery\.beanName`: unknown option/],
    [
      { mode: 'redis', redis: { url: 'redis://x' }, redisDiscovery: { electionInterval: 950, electionPeriod: 1000 } },
      /`redisDiscovery\.electionPeriod`: after the clock-drift and event-loop margins a leader may act for 900 ms.*more than 1053 ms/,
    ],
    [{ mode: 'single', logger: {} as never }, /`logger`/],
    [{ mode: 'single', Timeout: 10 } as never, /`Timeout`: unknown option/],
  ] as [ClusterModuleOptions, RegExp][])('rejects %j with a message naming the field', (options, message) => {
    expect(rejection(options)).toMatch(message);
  });
});

describe('options from the environment', () => {
  it('takes numeric strings for every numeric option, as ConfigService gives them', () => {
    const s = resolve({
      mode: 'redis',
      nodeName: 'a',
      redis: { url: 'redis://x' },
      timeout: '3',
      heartbeatIntervalMs: ' 250 ',
      leaseMs: '1500',
      clockDriftBound: '0.1',
      eventLoopMarginMs: '20',
      maxFrameBytes: '65536',
      handshakeTimeoutMs: '2e3',
      shutdownTimeoutMs: '5000',
      redisDiscovery: { electionInterval: '5000', electionPeriod: '10000', syncLeaderInterval: '3000' },
    });
    expect(s).toMatchObject({
      electionTimeoutMs: 3000,
      heartbeatIntervalMs: 250,
      leaseMs: 1500,
      clockDriftBound: 0.1,
      eventLoopMarginMs: 20,
      maxFrameBytes: 65536,
      handshakeTimeoutMs: 2000,
      shutdownTimeoutMs: 5000,
      redisDiscovery: { electionInterval: 5000, electionPeriod: 10_000, syncLeaderInterval: 3000 },
    });
    expect(resolve({ mode: 'single', electionTimeoutMs: '300' }).electionTimeoutMs).toBe(300);
  });

  it.each([
    [{ mode: 'single', timeout: 'three' }, 'Invalid cluster option `timeout`: expected seconds (at least 0.01), got "three".'],
    [{ mode: 'single', timeout: '' }, 'Invalid cluster option `timeout`: expected seconds (at least 0.01), got "".'],
    [{ mode: 'single', electionTimeoutMs: '0x10' }, 'Invalid cluster option `electionTimeoutMs`: expected milliseconds between 10 and 2147483647, got "0x10".'],
    [{ mode: 'single', shutdownTimeoutMs: 'Infinity' }, 'Invalid cluster option `shutdownTimeoutMs`: expected milliseconds between 1 and 2147483647, got "Infinity".'],
    [{ mode: 'single', clockDriftBound: '5%' }, 'Invalid cluster option `clockDriftBound`: expected a fraction in [0, 0.5), got "5%".'],
    [{ mode: 'single', eventLoopMarginMs: '-1' }, 'Invalid cluster option `eventLoopMarginMs`: expected milliseconds >= 0, got "-1".'],
    [{ mode: 'single', redisDiscovery: { electionInterval: '15 s' } }, 'Invalid cluster option `redisDiscovery.electionInterval`: expected milliseconds between 1 and 2147483647, got "15 s".'],
  ] as [ClusterModuleOptions, string][])('still rejects %j, in the same sentence', (options, message) => {
    expect(rejection(options)).toBe(message);
  });

  it('takes nodes in the string form', () => {
    const s = resolve({ nodes: 'n1@10.0.0.1:7001,n2@10.0.0.2:7002', nodeName: 'n2' });
    expect(s.nodes).toEqual([
      { name: 'n1', ip: '10.0.0.1', port: 7001 },
      { name: 'n2', ip: '10.0.0.2', port: 7002 },
    ]);
    expect(s.self).toEqual({ name: 'n2', ip: '10.0.0.2', port: 7002 });
  });

  it('reads env CLUSTER_NODES when nodes is not given, and nodes wins when both are', () => {
    const env = { ...host, envNodes: 'e1@10.0.0.1:7001,e2@10.0.0.2:7002', envNodeName: 'e1' };
    expect(resolve({}, env).nodes.map((n) => n.name)).toEqual(['e1', 'e2']);
    expect(resolve({ mode: 'redis', redis: { url: 'redis://x' } }, env).connected).toBe(true);
    expect(resolve({ nodes: three, nodeName: 'n1' }, env).nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
    // Single mode is this process alone: the env list of a cluster deployment does not apply.
    expect(resolve({ mode: 'single' }, env).nodes.map((n) => n.name)).toEqual(['e1']);
    expect(rejection({}, { ...host, envNodes: 'e1@10.0.0.1' })).toMatch(/^Invalid cluster option `CLUSTER_NODES`: entry 1 "e1@10\.0\.0\.1" has no port/);
    expect(rejection({}, { ...host, envNodes: ',' })).toMatch(/`CLUSTER_NODES`: cluster mode needs at least one node/);
    expect(rejection({})).toMatch(/`nodes`: cluster mode needs the list of nodes.*or env CLUSTER_NODES/);
  });
});

describe('redis mode options', () => {
  it('accepts a url, options, or an injection token, and keeps the client settings for the engine', () => {
    expect(resolve({ mode: 'redis', nodeName: 'a', redis: { url: 'redis://127.0.0.1:6390' } }).redis).toEqual({
      client: undefined,
      options: undefined,
      url: 'redis://127.0.0.1:6390',
    });
    expect(resolve({ mode: 'redis', nodeName: 'a', redisDiscovery: { inject: 'REDIS' } }).redis).toBeUndefined();
    const s = resolve({ mode: 'redis', nodeName: 'a', redis: { options: { port: 6390 } }, redisDiscovery: { dataPath: '/cluster/election' } });
    expect(s.redisDiscovery).toEqual({ dataPath: '/cluster/election', electionInterval: 15_000, electionPeriod: 30_000, syncLeaderInterval: 10_000 });
  });
});

describe('node identity', () => {
  it('takes nodeName first, then env CLUSTER_NODE_NAME', () => {
    const env = { ...host, envNodeName: 'n3' };
    expect(resolve({ nodes: three, nodeName: 'n1' }, env).self.name).toBe('n1');
    expect(resolve({ nodes: three }, env).self.name).toBe('n3');
    expect(rejection({ nodes: three }, { ...host, envNodeName: 'zz' })).toMatch(/`CLUSTER_NODE_NAME`: "zz"/);
  });

  it('then the one entry marked local', () => {
    const nodes = three.map((n) => ({ ...n, local: n.name === 'n2' }));
    expect(resolve({ nodes }).self.name).toBe('n2');
    const two = three.map((n) => ({ ...n, local: n.name !== 'n1' }));
    expect(rejection({ nodes: two })).toMatch(/`nodes`: n2, n3 are all marked local/);
  });

  it('then an exact match of this host’s addresses, never a substring', () => {
    // This host has 10.0.0.12; "10.0.0.1" must not match it.
    expect(rejection({ nodes: three })).toMatch(/`nodes`: no entry matches this process/);
    const h = { ...host, addresses: ['10.0.0.3'] };
    expect(resolve({ nodes: three }, h).self.name).toBe('n3');
    expect(resolve({ nodes: [{ name: 'a', ip: 'box-a', port: 1 }] }).self.name).toBe('a');
  });

  it('refuses to guess when several entries match this host', () => {
    const nodes = [
      { name: 'a', ip: '127.0.0.1', port: 7001 },
      { name: 'b', ip: '127.0.0.1', port: 7002 },
    ];
    expect(rejection({ nodes })).toMatch(/`nodes`: a, b all match this host; set nodeName/);
  });
});

describe('defaultOptions', () => {
  it('gives every default, the timing ones for a T (DESIGN §4)', () => {
    expect(defaultOptions()).toMatchObject({ mode: 'cluster', electionTimeoutMs: 1000, heartbeatIntervalMs: 100, leaseMs: 500, eventLoopMarginMs: 50 });
    expect(defaultOptions(40).eventLoopMarginMs).toBe(5);
  });

  it('accepts a heartbeat of exactly T/2, the edge the Raft node now shares', () => {
    expect(resolve({ mode: 'single', electionTimeoutMs: 1000, heartbeatIntervalMs: 500, leaseMs: 1000 }).heartbeatIntervalMs).toBe(500);
    expect(rejection({ mode: 'single', electionTimeoutMs: 1000, heartbeatIntervalMs: 501, leaseMs: 1000 })).toMatch(/`heartbeatIntervalMs`.*at most half/);
  });

  it('takes the default logger from its caller, stderr lines without Nest', () => {
    const given = { log() {}, warn() {}, error() {} };
    expect(resolveClusterOptions({ mode: 'single' }, host, given).logger).toBe(given);
    expect(resolveClusterOptions({ mode: 'single' }, host).logger).toBe(stderrLogger);
  });
});
