import { dialectOf } from '@sipcap/schema';
import { MysqlStore } from './mysql-store';
import { PgStore } from './pg-store';
import type { Store, StoreOptions } from './store';

/**
 * The store for DB_URL: postgres:// and postgresql:// use node-postgres (COPY), mysql:// uses mysql2
 * (MySQL and MariaDB). Connections are opened on first use; configuration errors throw here.
 */
export async function openStore(dbUrl: string, opts: StoreOptions = {}): Promise<Store> {
  return dialectOf(dbUrl) === 'postgres' ? new PgStore(dbUrl, opts) : new MysqlStore(dbUrl, opts);
}
