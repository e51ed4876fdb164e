import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../lib/core/node.js';
import { dialLookup, hostAddress, LookupFailure } from '../../lib/core/transport/host-lookup.js';
import type { Transport } from '../../lib/core/transport/transport.js';
import { memoryLogger } from '../helpers/clusters.js';
import { activeResources, leftOverSince } from '../helpers/handles.js';
import { NameTable } from '../helpers/name-table.js';
import { freePorts } from '../helpers/ports.js';
import { makeNode } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

describe('a lookup answer is hostile input (issue #14)', () => {
  it('gives the first unicast address, its family taken from the address itself', () => {
    expect(hostAddress({ address: '127.0.0.5', family: 4 })).toEqual({ address: '127.0.0.5', family: 4 });
    expect(hostAddress([{ address: 'nonsense' }, { address: 'fd00::1', family: 4 }])).toEqual({ address: 'fd00::1', family: 6 });
  });

  it.each([
    ['no answer', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', '127.0.0.1'],
    ['an empty list', []],
    ['a name', { address: 'peer.example' }],
    ['a bad IP', { address: '999.1.1.1' }],
    ['an address that is not a string', { address: 2130706433 }],
    ['this host (v4)', { address: '0.0.0.0' }],
    ['this network', { address: '0.1.2.3' }],
    ['this host (v6)', { address: '::' }],
    ['a multicast group', { address: '224.0.0.1' }],
    ['a v6 multicast group', { address: 'ff02::1' }],
    ['the broadcast address', { address: '255.255.255.255' }],
    ['a list too long to read to its one good entry', [...Array(100).fill({ address: 'x' }), { address: '127.0.0.1' }]],
  ])('refuses %s with a LookupFailure that shows what came', (_what, answer) => {
    expect(() => hostAddress(answer)).toThrow(LookupFailure);
    expect(() => hostAddress(answer)).toThrow(/the answer has no unicast IP address: /);
  });

  it('refuses an answer that throws when read, and keeps the log line short', () => {
    const trap = { get address(): string { throw new Error('gotcha'); } };
    expect(() => hostAddress(trap)).toThrow(/reading the answer threw: Error: gotcha/);
    const huge = { address: 'x'.repeat(10_000) };
    expect(() => hostAddress(huge)).toThrow(LookupFailure);
    let message = '';
    try {
      hostAddress(huge);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.length).toBeLessThan(300);
  });
});

describe('the lookup of one dial', () => {
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

  it('forgets a pending lookup when its socket closes: no answer, no failure, no timer left', async () => {
    const socketEnd = new AbortController();
    const failures: LookupFailure[] = [];
    const answers: unknown[] = [];
    let answer!: (value: LookupAddress) => void;
    const lookup = dialLookup(() => new Promise((resolve) => (answer = resolve)), {
      timeoutMs: 60_000, signal: socketEnd.signal, onFailure: (f) => failures.push(f),
    });
    const before = timers();
    lookup('peer.cluster.test', {}, (...args: unknown[]) => answers.push(args));
    expect(timers()).toBe(before + 1);
    socketEnd.abort();
    expect(timers()).toBe(before);
    answer({ address: '127.0.0.1', family: 4 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answers).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('answers net in the form it asked for: one address, or a list when it may try several families', async () => {
    const signal = new AbortController().signal;
    const lookup = dialLookup(async () => [{ address: 'fd00::7', family: 6 }], { timeoutMs: 1000, signal, onFailure: () => undefined });
    const one = await new Promise((resolve) => lookup('p', {}, (...args: unknown[]) => resolve(args)));
    expect(one).toEqual([null, 'fd00::7', 6]);
    const all = await new Promise((resolve) => lookup('p', { all: true }, (...args: unknown[]) => resolve(args)));
    expect(all).toEqual([null, [{ address: 'fd00::7', family: 6 }]]);
  });
});

describe('dialling a peer whose name does not resolve (issue #14)', () => {
  let transports: Transport[] = [];
  afterEach(async () => {
    await Promise.all(transports.map((t) => t.close()));
    transports = [];
  });

  it('logs one line naming the peer, counts every failure, re-dials, and connects once the name resolves', async () => {
    const dns = new NameTable();
    const [pa, pb] = await freePorts(2);
    const a: NodeConfig = { name: 'a', ip: '127.0.0.31', port: pa! };
    const b: NodeConfig = { name: 'b', ip: 'b.cluster.test', port: pb! };
    const nodes = [a, b];
    const never = () => new Promise<never>(() => undefined);
    dns.script(
      'b.cluster.test',
      () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND b.cluster.test'), { code: 'ENOTFOUND' })),
      () => Promise.resolve({ address: 'garbage', family: 4 }),
      () => Promise.resolve([{ address: '0.0.0.0', family: 4 }]),
      () => Promise.resolve(null),
      () => { throw new Error('a resolver that throws'); },
      () => Promise.reject('not even an Error'),
      never,
    );
    dns.set('b.cluster.test', '127.0.0.32');
    const logger = memoryLogger();
    const nodeA = makeNode(a, nodes, { logger, lookup: dns.lookup });
    // b listens where its name will point, but never dials a: only a's dials are under test.
    const nodeB = makeNode({ ...b, bindHost: '127.0.0.32' }, nodes, { dialAddress: () => ({ host: '127.0.0.1', port: 1 }) });
    transports = [nodeA.transport, nodeB.transport];
    await nodeB.transport.start();
    await nodeA.transport.start();

    await waitFor(() => nodeA.transport.stats().peers.b?.outbound === true, { what: 'a to connect to b once its name resolves' });
    const stats = nodeA.transport.stats().connections;
    expect(stats.lookupFailures).toBe(7);
    expect(stats.dialFailures).toBeGreaterThanOrEqual(7);
    expect(dns.asked.get('b.cluster.test')).toBe(8);
    const lines = logger.lines.filter((l) => l.message.includes('cannot resolve'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn' });
    expect(lines[0]!.message).toMatch(/^Node "a" cannot resolve "b\.cluster\.test", the host of node "b" \(.*ENOTFOUND.*\); dialling it again with backoff\.$/);
  });

  it('leaves no timer behind when it closes while a lookup is still pending', async () => {
    const before = activeResources();
    const dns = new NameTable();
    const [pa, pb] = await freePorts(2);
    const a: NodeConfig = { name: 'a', ip: '127.0.0.31', port: pa! };
    const nodes = [a, { name: 'b', ip: 'b.cluster.test', port: pb! }];
    const pending = new Promise<never>(() => undefined);
    dns.script('b.cluster.test', () => pending);
    // A lookup deadline (half the handshake's) far beyond the leak check's own.
    const nodeA = makeNode(a, nodes, { lookup: dns.lookup, handshakeTimeoutMs: 60_000 });
    await nodeA.transport.start();
    await waitFor(() => dns.asked.get('b.cluster.test') === 1, { what: 'the lookup to start' });
    await nodeA.transport.close();
    expect(await leftOverSince(before)).toEqual({});
    expect(nodeA.transport.stats().connections.lookupFailures).toBe(0);
  });
});
