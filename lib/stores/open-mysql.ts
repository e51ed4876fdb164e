import type { LeaseStore } from '../core/election/lease/lease-store.js';
import type { MysqlPoolLike } from '../core/election/lease/stores/mysql/mysql-types.js';
import type { LeaseSettings, MysqlSettings } from '../core/settings.js';

export async function openMysqlLeaseStore(
  _mysql: MysqlSettings,
  _lease: LeaseSettings,
  _injected: (() => MysqlPoolLike) | undefined,
  _onError: (kind: string, error: unknown) => void,
): Promise<LeaseStore> {
  throw new Error('not yet');
}
