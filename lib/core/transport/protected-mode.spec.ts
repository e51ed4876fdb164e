import { describe, expect, it } from 'vitest';
import { ClusterConfigError, ClusterError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { assertListenAllowed, insecureListenWarning, isLoopbackAddress } from './protected-mode.js';
import { systemClock } from '../../system-clock.js';
import { Transport } from './transport.js';


function transportOn(ip: string, extra: { secret?: string; insecure?: boolean } = {}) {
  const self = { name: 'a', ip, port: 1 };
  return new Transport({
    self, nodes: [self, { name: 'b', ip: '127.0.0.1', port: 2 }],
    electionTimeoutMs: 1000, heartbeatIntervalMs: 100, maxFrameBytes: 1 << 20, handshakeTimeoutMs: 1000,
    clock: systemClock, logger: silentLogger, ...extra,
  });
}

describe('protected mode', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1'])('treats %s as loopback', (ip) => {
    expect(isLoopbackAddress(ip)).toBe(true);
  });

  it.each(['0.0.0.0', '10.0.0.1', '::', '192.168.1.5', 'fe80::1'])('treats %s as reachable from outside', (ip) => {
    expect(isLoopbackAddress(ip)).toBe(false);
  });

  it('refuses to listen beyond loopback with neither secret nor tls, saying how to fix it', async () => {
    const error = await transportOn('0.0.0.0').start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect((error as Error).message).toMatch(/`secret`.*`tls`.*`insecure: true`/s);
  });

  it('allows it with a secret, tls or insecure: true', () => {
    const self = { name: 'a', ip: '10.0.0.1', port: 1 };
    expect(() => assertListenAllowed(self, { secret: 'long enough' })).not.toThrow();
    expect(() => assertListenAllowed(self, { tls: {} })).not.toThrow();
    expect(() => assertListenAllowed(self, { insecure: true })).not.toThrow();
  });

  it('with insecure: true start() gets past protected mode to the listen itself', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here, so nothing binds; the error is the OS's.
    const error = await transportOn('192.0.2.1', { insecure: true }).start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).not.toBeInstanceOf(ClusterConfigError);
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_LISTEN' });
  });
});

describe('insecure mode (issue #10 finding 8)', () => {
  const on = (ip: string) => ({ name: 'a', ip, port: 7000 });

  it('warns when `insecure: true` listens on an address other machines can reach', () => {
    expect(insecureListenWarning(on('0.0.0.0'), { insecure: true })).toMatch(/"a" listens on 0\.0\.0\.0:7000 with `insecure: true`/);
    expect(insecureListenWarning(on('10.1.2.3'), { insecure: true })).toBeDefined();
  });

  it('stays quiet on loopback, or with a secret or tls', () => {
    expect(insecureListenWarning(on('127.0.0.1'), { insecure: true })).toBeUndefined();
    expect(insecureListenWarning(on('0.0.0.0'), { insecure: true, secret: 'x'.repeat(16) })).toBeUndefined();
    expect(insecureListenWarning(on('0.0.0.0'), { insecure: true, tls: {} })).toBeUndefined();
  });
});
