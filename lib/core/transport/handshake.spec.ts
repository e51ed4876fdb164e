import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { Handshake, type HandshakeOptions } from './handshake.js';
import { clusterIdentity, parseMessage, type Message } from './protocol.js';
import { decode, encode } from '../codec.js';

const nodes = [
  { name: 'a', ip: '127.0.0.1', port: 1 },
  { name: 'b', ip: '127.0.0.1', port: 2 },
];
const CLUSTER = clusterIdentity(nodes);

function pair(dialer: Partial<HandshakeOptions> = {}, acceptor: Partial<HandshakeOptions> = {}) {
  const d = new Handshake({
    role: 'dialer', selfName: 'a', clusterId: CLUSTER, peers: new Set(['b']), expectedPeer: 'b',
    secret: 'correct horse', nonce: randomBytes(32), ...dialer,
  });
  const a = new Handshake({
    role: 'acceptor', selfName: 'b', clusterId: CLUSTER, peers: new Set(['a']),
    secret: 'correct horse', nonce: randomBytes(32), ...acceptor,
  });
  return { d, a };
}

/** Runs both sides to completion through a real encode/decode; returns the first error, if any. */
function run(d: Handshake, a: Handshake): ProtocolError | undefined {
  const wire = (m: Message) => parseMessage(decode(encode(m)));
  let toA = d.start().map(wire);
  let toD: Message[] = [];
  try {
    while (toA.length || toD.length) {
      toD = toA.flatMap((m) => a.receive(m)).map(wire);
      toA = toD.flatMap((m) => d.receive(m)).map(wire);
      toD = [];
    }
    // A dialer that thinks it is done goes on with session traffic.
    if (d.established && !a.established) a.receive({ type: 'ping' });
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  return undefined;
}

describe('Handshake', () => {
  it('establishes both sides with the same secret, each knowing the other by name', () => {
    const { d, a } = pair();
    expect(run(d, a)).toBeUndefined();
    expect([d.established, a.established]).toEqual(['b', 'a']);
  });

  it('establishes without a secret after the two hellos', () => {
    const { d, a } = pair({ secret: undefined }, { secret: undefined });
    expect(run(d, a)).toBeUndefined();
    expect([d.established, a.established]).toEqual(['b', 'a']);
  });

  it.each([
    ['a wrong secret', { secret: 'wrong horse' }, {}, 'auth-failed'],
    ['a dialer without the secret', { secret: undefined }, {}, 'auth-failed'],
    ['an acceptor without the secret', {}, { secret: undefined }, 'auth-failed'],
    ['another cluster', { clusterId: clusterIdentity([...nodes, { name: 'c', ip: '127.0.0.1', port: 3 }]) }, {}, 'cluster-mismatch'],
    ['an unconfigured name', { selfName: 'mallory' }, {}, 'unknown-node'],
    ['the acceptor claiming its own name', { selfName: 'b' }, { peers: new Set(['a']) }, 'unknown-node'],
    ['an acceptor that is not the dialled node', { expectedPeer: 'c' }, {}, 'unknown-node'],
  ] as const)('refuses %s', (_, dialer, acceptor, reason) => {
    const { d, a } = pair(dialer, acceptor);
    expect(run(d, a)?.reason).toBe(reason);
    expect(a.established).toBeUndefined();
  });

  it('names the node whose secret setting differs at the hello, before any proof (issue #12)', () => {
    const { d, a } = pair({ secret: undefined });
    expect(run(d, a)?.message).toBe('Node "a" runs without a secret, this node with one; set the same `secret` on every node.');
    const other = pair({}, { secret: undefined });
    expect(run(other.d, other.a)?.message).toBe('Node "a" runs with a secret, this node without one; set the same `secret` on every node.');
  });

  it('refuses a hello with another protocol version', () => {
    const { a } = pair();
    const hello = { type: 'hello', version: 99, cluster: CLUSTER, node: 'a', nonce: randomBytes(32) } as const;
    expect(() => a.receive(hello)).toThrow(expect.objectContaining({ reason: 'version-mismatch' }));
  });

  it('refuses session messages before the handshake is done', () => {
    const { a } = pair();
    expect(() => a.receive({ type: 'raft', payload: 1 })).toThrow(expect.objectContaining({ reason: 'unexpected-message' }));
  });

  it('refuses a proof reflected back to the dialer', () => {
    const { d, a } = pair();
    const [hello] = d.start();
    const [reply] = a.receive(parseMessage(decode(encode(hello))));
    const [proof] = d.receive(parseMessage(decode(encode(reply))));
    expect(() => d.receive(proof!)).toThrow(expect.objectContaining({ reason: 'auth-failed' }));
  });
});

describe('parseMessage', () => {
  it.each([
    [42, 'malformed-message'],
    [[1, 2], 'malformed-message'],
    [{ type: 'bogus' }, 'unknown-type'],
    [{ nope: 1 }, 'unknown-type'],
    [{ type: ['hello'] }, 'unknown-type'],
    [{ type: 'hello', version: 1, cluster: 'x', node: 'a', nonce: Buffer.alloc(3) }, 'malformed-message'],
    [{ type: 'request', id: 0, timeoutMs: 10, body: null }, 'malformed-message'],
    [{ type: 'request', id: 1, timeoutMs: -1, body: null }, 'malformed-message'],
    [{ type: 'request', id: 1, timeoutMs: Number.NaN, body: null }, 'malformed-message'],
    [{ type: 'response', id: 1.5, body: null }, 'malformed-message'],
  ])('refuses %j (%s)', (body, reason) => {
    expect(() => parseMessage(body)).toThrow(expect.objectContaining({ reason }));
  });

  it('refuses a type of any kind, BigInt included, without throwing anything else', () => {
    expect(() => parseMessage({ type: 5n })).toThrow(expect.objectContaining({ reason: 'unknown-type' }));
  });

  it('either returns a message or throws a ProtocolError, whatever a peer sends', () => {
    const typed = fc.record({
      type: fc.constantFrom('hello', 'auth', 'ping', 'pong', 'raft', 'request', 'response', 'other'),
      version: fc.anything(), cluster: fc.anything(), node: fc.anything(), nonce: fc.anything(), proof: fc.anything(),
      id: fc.anything(), timeoutMs: fc.anything(), body: fc.anything(),
    }, { requiredKeys: ['type'] });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), typed), (body) => {
        try {
          expect(typeof parseMessage(body).type).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('names a cluster by its node list in any order', () => {
    expect(clusterIdentity([...nodes].reverse())).toBe(CLUSTER);
    expect(clusterIdentity([{ ...nodes[0]!, port: 9 }, nodes[1]!])).not.toBe(CLUSTER);
  });
});
