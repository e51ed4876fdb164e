/**
 * What redis mode needs of the client it is given: an ioredis `Redis` (single, Sentinel) or
 * `Cluster` fits. Declared here, by shape, so that the package's public types never import
 * ioredis, an optional peer that users of the other modes do not install; the lease store over
 * ioredis keeps ioredis's own types inside.
 *
 * @example
 * import { Redis } from 'ioredis';
 * ClusterModule.forRoot({ mode: 'redis', redis: { client: new Redis(process.env.REDIS_URL!) } });
 */
export interface ClusterRedisClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  duplicate(): unknown;
  disconnect(): void;
}

/**
 * ioredis `RedisOptions` for a client this module creates. The usual connection fields are typed
 * here; every other ioredis option passes through as given. For ioredis's own typing of every
 * option, create the client yourself and pass it as `redis.client`.
 */
export interface ClusterRedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  // `any`, not `unknown`: a value typed with ioredis's own RedisOptions (an interface, without an
  // index signature) is then assignable. Callback options need their parameters annotated:
  // `retryStrategy: (times: number) => ...`.
  [option: string]: any;
}
