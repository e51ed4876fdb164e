import { scrypt, scryptSync, type ScryptOptions } from 'node:crypto';

/** scrypt cost: about 16 MiB and tens of ms, once per process, per secret and cluster. */
const COST: ScryptOptions = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

const keys = new Map<string, Promise<Buffer>>();

/**
 * Issue #10 finding 6: one captured handshake let an attacker test about 234,000 guesses of the
 * secret a second against its HMAC proofs. The handshake and the frame keys use this key instead
 * of the secret itself: a scrypt stretch of it, salted with the cluster id, so each guess costs
 * as much as this function, and no table is shared between clusters. Computed off the event loop,
 * once per process for each secret and cluster.
 */
export function secretKey(secret: string, clusterId: string): Promise<Buffer> {
  const id = `${clusterId}\n${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = new Promise<Buffer>((resolve, reject) =>
      scrypt(secret, salt(clusterId), KEY_BYTES, COST, (error, derived) => (error ? reject(error) : resolve(derived))),
    );
    keys.set(id, key);
  }
  return key;
}

/** The same key, computed on the spot: for tools and tests that play a node by hand. */
export function secretKeySync(secret: string, clusterId: string): Buffer {
  return scryptSync(secret, salt(clusterId), KEY_BYTES, COST);
}

function salt(clusterId: string): string {
  return `nest-cluster secret key\n${clusterId}`;
}
