import pg from 'pg';
import { createConnection } from 'mysql2/promise';
import { dialectOf } from './db-url';

/**
 * The size of DB_URL's database in bytes, on a connection of its own (opened and closed per reading:
 * it runs once a minute, and must not take a connection the insert lanes wait for).
 * - PostgreSQL: pg_database_size(current_database()): every file of the database (tables, indexes, TOAST,
 *   free space inside them), not the WAL or other databases of the server.
 * - MySQL/MariaDB: data_length + index_length + data_free of the database's tables in
 *   information_schema (InnoDB's figures are estimates; MySQL 8 caches them unless
 *   information_schema_stats_expiry is 0, which this session sets where the variable exists).
 */
export async function databaseSize(dbUrl: string): Promise<number> {
  if (dialectOf(dbUrl) === 'postgres') {
    const c = new pg.Client({ connectionString: dbUrl, application_name: 'sipcap-size', connectionTimeoutMillis: 10_000 });
    c.on('error', () => undefined);
    await c.connect();
    try {
      const r = await c.query<{ size: string }>('SELECT pg_database_size(current_database())::text AS size');
      return Number(r.rows[0].size);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  const c = await createConnection({ uri: dbUrl, connectTimeout: 10_000, supportBigNumbers: true, bigNumberStrings: true });
  c.on('error', () => undefined);
  try {
    await c.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined); // MariaDB has no such variable
    const [rows] = await c.query('SELECT COALESCE(SUM(data_length + index_length + data_free), 0) AS size FROM information_schema.tables WHERE table_schema = DATABASE()');
    return Number((rows as { size: string | number }[])[0].size);
  } finally {
    await c.end().catch(() => undefined);
  }
}
