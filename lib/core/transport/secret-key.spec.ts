import { describe, expect, it } from 'vitest';
import { secretKey, secretKeySync } from './secret-key.js';

describe('secretKey (issue #10 finding 6: no cheap offline guessing from a captured handshake)', () => {
  it('is a 32-byte scrypt stretch of the secret, salted with the cluster id, the same sync or not', async () => {
    const secret = 'a test secret, long enough';
    const key = await secretKey(secret, 'cluster-a');
    expect(key).toHaveLength(32);
    expect(key.equals(secretKeySync(secret, 'cluster-a'))).toBe(true);
    expect(key.equals(secretKeySync(secret, 'cluster-b'))).toBe(false);
    expect(key.equals(Buffer.from(secret))).toBe(false);
    expect(await secretKey(secret, 'cluster-a')).toBe(key); // once per process
  });
});
