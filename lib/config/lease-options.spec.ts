import { describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../core/errors.js';
import type { ClusterModuleOptions } from './cluster-options.js';
import type { HostIdentity } from './node-identity.js';
import { resolveClusterOptions } from './resolve-options.js';

const host: HostIdentity = { envNodeName: undefined, hostname: 'box-a', addresses: ['127.0.0.1'] };
const resolve = (options: ClusterModuleOptions) => resolveClusterOptions({ logger: false, ...options }, host);
const rejection = (options: ClusterModuleOptions): string => {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the options to be rejected');
};
const url = 'postgres://db/app';

describe('options of the lease modes (postgres, mysql, lease)', () => {
  it("default to the seed's RedisDiscovery timings, the lease name 'nest-cluster' and the table nest_cluster_lease", () => {
    const s = resolve({ mode: 'postgres', postgres: { connectionString: url } });
    expect(s.lease).toEqual({ name: 'nest-cluster', electionInterval: 15_000, electionPeriod: 30_000, syncLeaderInterval: 10_000, store: undefined });
    expect(s.postgres).toEqual({ pool: undefined, connectionString: url, schema: 'public', table: 'nest_cluster_lease', listen: true });
    expect(resolve({ mode: 'mysql', mysql: { uri: 'mysql://db/app' } }).mysql).toMatchObject({ table: 'nest_cluster_lease' });
  });

  it('check the shared timings in the same sentences as redisDiscovery, naming the lease group', () => {
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url }, lease: { electionPeriod: 1000, electionInterval: 1000 } })).toMatch(
      /^Invalid cluster option `lease\.electionPeriod`: the lease \(1000 ms\) must be longer than the renewal interval/,
    );
    expect(rejection({ mode: 'mysql', mysql: { uri: 'mysql://db' }, lease: { electionPeriod: 1050, electionInterval: 1000 } })).toMatch(
      /`lease\.electionPeriod`: after the clock-drift and event-loop margins/,
    );
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url }, lease: { syncLeaderInterval: 'soon' } })).toMatch(/`lease\.syncLeaderInterval`/);
    expect(resolve({ mode: 'postgres', postgres: { connectionString: url }, lease: { electionInterval: '4000', electionPeriod: '10000' } }).lease).toMatchObject({
      electionInterval: 4000,
      electionPeriod: 10_000,
    });
  });

  it('reject a second source of connections, a bad URL, an identifier that would need quoting, and unknown keys', () => {
    expect(rejection({ mode: 'postgres' })).toMatch(/`postgres`: postgres mode needs exactly one of postgres\.pool/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, inject: 'PG' } })).toMatch(/got connectionString and inject/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: 'mysql://x' } })).toMatch(/`postgres\.connectionString`/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, schema: 'a.b' } })).toMatch(/`postgres\.schema`/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, listen: 'no' as never } })).toMatch(/`postgres\.listen`/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url, tabel: 'x' } as never })).toMatch(/`postgres\.tabel`: unknown option/);
    expect(rejection({ mode: 'postgres', postgres: { pool: { query: () => undefined } as never } })).toMatch(/`postgres\.pool`: expected a pg\.Pool/);
    expect(rejection({ mode: 'mysql', mysql: { uri: 'postgres://x' } })).toMatch(/`mysql\.uri`/);
    expect(rejection({ mode: 'mysql', mysql: { uri: 'mysql://x', inject: 42 as never } })).toMatch(/got uri and inject/);
    expect(rejection({ mode: 'postgres', postgres: { connectionString: url }, lease: { name: '' } })).toMatch(/`lease\.name`/);
  });

  it('ignore the SQL groups in other modes', () => {
    expect(resolve({ mode: 'single', postgres: { tabel: 1 } as never }).postgres).toBeUndefined();
  });
});
