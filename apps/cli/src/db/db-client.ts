import pg from 'pg';
import { createConnection } from 'mysql2/promise';
import { dialectOf, type Dialect } from '@sipcap/schema';

/** A single plain connection for the CLI's own queries (existence checks, stats); rows as objects. */
export interface DbClient {
  readonly dialect: Dialect;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function openDbClient(dbUrl: string): Promise<DbClient> {
  if (dialectOf(dbUrl) === 'postgres') {
    const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined); // a dropped connection fails the next query, which is reported
    await client.connect();
    return {
      dialect: 'postgres',
      query: async (sql, params) => (await client.query(sql, params)).rows,
      close: () => client.end().catch(() => undefined),
    };
  }
  const conn = await createConnection({
    uri: dbUrl,
    connectTimeout: 5000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  conn.on('error', () => undefined);
  return {
    dialect: 'mysql',
    query: async (sql, params) => (await conn.query(sql, params))[0] as Record<string, unknown>[],
    close: () => conn.end().catch(() => undefined),
  };
}

/** Whether a table exists in the URL's database (PostgreSQL: in the search path). */
export async function tableExists(db: DbClient, table: string): Promise<boolean> {
  if (db.dialect === 'postgres') {
    const rows = await db.query('SELECT to_regclass($1) IS NOT NULL AS found', [quoteIdent(table)]);
    return rows[0]?.found === true;
  }
  const rows = await db.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table]);
  return rows.length > 0;
}

/** Whether the table is partitioned (PostgreSQL declarative partitions, MySQL/MariaDB range partitions). */
export async function isPartitioned(db: DbClient, table: string): Promise<boolean> {
  if (db.dialect !== 'postgres') {
    const rows = await db.query(
      'SELECT 1 FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL LIMIT 1',
      [table],
    );
    return rows.length > 0;
  }
  const rows = await db.query("SELECT relkind = 'p' AS p FROM pg_class WHERE oid = to_regclass($1)", [quoteIdent(table)]);
  return rows[0]?.p === true;
}

/** Identifier quoting for the dialect (names are validated table names; quotes are doubled anyway). */
export function quoteTable(dialect: Dialect, table: string): string {
  return dialect === 'postgres' ? quoteIdent(table) : '`' + table.replace(/`/g, '``') + '`';
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
