import pg from 'pg';
import { createConnection } from 'mysql2/promise';
import { classifyMysqlError } from './classify-mysql-error';
import { classifyPgError } from './classify-pg-error';
import { databaseOf, dialectOf, MYSQL_COLLATION, quoteMysql, quotePg, withDatabase } from '@sipcap/schema';
import { errorCode } from './store-error';

/**
 * Creates the database named in DB_URL when it is absent (PostgreSQL: from the `postgres` database, in
 * UTF8; MySQL: utf8mb4). Returns true when it created it. Errors are StoreErrors.
 */
export async function ensureDatabase(dbUrl: string): Promise<boolean> {
  const name = databaseOf(dbUrl);
  return dialectOf(dbUrl) === 'postgres' ? ensurePgDatabase(dbUrl, name) : ensureMysqlDatabase(dbUrl, name);
}

async function ensurePgDatabase(dbUrl: string, name: string): Promise<boolean> {
  // A server that takes the connection and never answers fails after 5 s instead of hanging the caller.
  const client = new pg.Client({ connectionString: withDatabase(dbUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quotePg(name)} ENCODING 'UTF8' TEMPLATE template0`);
      return true;
    } catch (e) {
      if (errorCode(e) === '42P04') return false; // created meanwhile by another writer
      throw e;
    }
  } catch (e) {
    throw classifyPgError(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureMysqlDatabase(dbUrl: string, name: string): Promise<boolean> {
  try {
    const conn = await createConnection({ uri: withDatabase(dbUrl, ''), connectTimeout: 5000 });
    try {
      const [rows] = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
      if ((rows as unknown[]).length > 0) return false;
      await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteMysql(name)} CHARACTER SET utf8mb4 COLLATE ${MYSQL_COLLATION}`);
      return true;
    } finally {
      await conn.end().catch(() => undefined);
    }
  } catch (e) {
    throw classifyMysqlError(e);
  }
}
