import type { Cluster as RedisCluster, Redis } from 'ioredis';
import type { LeaseScript } from './lease-scripts.js';

/** An ioredis client: a single Redis, one behind Sentinel, or a Redis Cluster. */
export type RedisClient = Redis | RedisCluster;

/** What the Redis lease store needs from a connection: scripts and pub/sub. */
export interface RedisCommands {
  run(script: LeaseScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<void>;
  /** Starts listening on `channel` over a dedicated connection; re-subscribes after reconnects. */
  subscribe(channel: string, onMessage: (message: string) => void): void;
  /** Closes every connection this store opened, and the client too when the store created it. */
  close(): Promise<void>;
}

type Commands = {
  evalsha(sha: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(lua: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
};

/**
 * How long ioredis waits for a socket to close after `disconnect()` before destroying it. Its
 * default (2 s) also arms a timer on a socket that is already dead (Redis down), which would hold
 * the event loop for 2 s after close(); connections we open use a short one.
 */
export const DISCONNECT_TIMEOUT_MS = 200;

function disconnectTimeout(client: RedisClient): number {
  const options = client.options as { disconnectTimeout?: number; redisOptions?: { disconnectTimeout?: number } };
  return options.disconnectTimeout ?? options.redisOptions?.disconnectTimeout ?? 2000;
}

/** Our own connection to the same Redis (or Redis Cluster) as `client`, for pub/sub. */
function duplicateOf(client: RedisClient): RedisClient {
  if ('isCluster' in client && client.isCluster) {
    const cluster = client as RedisCluster;
    const redisOptions = { ...cluster.options.redisOptions, disconnectTimeout: DISCONNECT_TIMEOUT_MS };
    return cluster.duplicate([], { redisOptions });
  }
  return (client as Redis).duplicate({ disconnectTimeout: DISCONNECT_TIMEOUT_MS });
}

/**
 * Resolves when `client` has ended, or once ioredis has given up on a socket that never reports
 * closing (it was already dead), so nothing of the client is left holding the event loop.
 */
function ended(client: RedisClient): Promise<void> {
  if (client.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, disconnectTimeout(client) + 50);
    function done() {
      clearTimeout(timer);
      client.off('end', done);
      resolve();
    }
    client.once('end', done);
  });
}

/**
 * Scripts and pub/sub over an ioredis client. A client we were given is only used for commands: no
 * listener is added to it and it stays open on close. A client we created (`owned`) and the
 * subscriber connection (always a `duplicate()` of the client) get an error listener, so a Redis
 * outage never surfaces as an unhandled 'error' event, and are closed by `close()`.
 */
export class IoredisCommands implements RedisCommands {
  private subscriber: RedisClient | undefined;
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly owned: boolean,
    private readonly onError: (kind: string, error: unknown) => void,
  ) {
    if (owned) client.on('error', (error: unknown) => onError('connection', error));
  }

  async run(script: LeaseScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const commands = this.client as unknown as Commands;
    try {
      return await commands.evalsha(script.sha, script.keys, ...keys, ...args);
    } catch (error) {
      // A restarted or flushed server forgets loaded scripts; send the body once, it is cached again.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return commands.eval(script.lua, script.keys, ...keys, ...args);
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    await (this.client as unknown as Commands).publish(channel, message);
  }

  subscribe(channel: string, onMessage: (message: string) => void): void {
    if (this.closed) return;
    const subscriber = (this.subscriber ??= duplicateOf(this.client));
    subscriber.on('error', (error: unknown) => this.onError('subscriber connection', error));
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) onMessage(message);
    });
    subscriber.subscribe(channel).catch((error: unknown) => {
      if (!this.closed) this.onError('subscribe', error);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing: RedisClient[] = [];
    if (this.subscriber) closing.push(this.subscriber);
    if (this.owned) closing.push(this.client);
    const waits = closing.map(ended);
    for (const client of closing) client.disconnect();
    await Promise.all(waits);
  }
}
