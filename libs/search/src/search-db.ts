import mysql from 'mysql2/promise';
import pg from 'pg';
import { dialectOf, type Dialect } from '@sipcap/store';

export type DbRow = Record<string, unknown>;

/** A read-only connection pool to the capture database, either dialect. */
export interface SearchDb {
  readonly dialect: Dialect;
  /** One statement with bound parameters (`$n` in PostgreSQL, `?` in MySQL). */
  query(sql: string, params: readonly unknown[]): Promise<DbRow[]>;
  close(): Promise<void>;
}

export interface SearchDbOptions {
  poolSize?: number;
  /** PostgreSQL statement_timeout; a runaway search is cancelled by the server. */
  statementTimeoutMs?: number;
  onIdleError?: (e: Error) => void;
}

const PG_TIMESTAMP = 1114;

/**
 * Opens a pool for DB_URL. Values come back as the drivers' text where a JS type would lose something:
 * `date` as its own text (no time zone conversion), bigint ids and micro_ts as decimal strings, `msg` as
 * a Buffer. Sessions are read-only: the web app never writes.
 */
export function openSearchDb(dbUrl: string, opts: SearchDbOptions = {}): SearchDb {
  const dialect = dialectOf(dbUrl);
  return dialect === 'postgres' ? openPg(dbUrl, opts) : openMysql(dbUrl, opts);
}

function openPg(dbUrl: string, opts: SearchDbOptions): SearchDb {
  const pool = new pg.Pool({
    connectionString: dbUrl,
    max: opts.poolSize ?? 4,
    application_name: 'sipcap-web',
    options: `-c default_transaction_read_only=on -c statement_timeout=${opts.statementTimeoutMs ?? 15_000}`,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_TIMESTAMP ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (e) => opts.onIdleError?.(e));
  return {
    dialect: 'postgres',
    async query(sql, params) {
      return (await pool.query(sql, params as unknown[])).rows as DbRow[];
    },
    close: () => pool.end(),
  };
}

function openMysql(dbUrl: string, opts: SearchDbOptions): SearchDb {
  const pool = mysql.createPool({
    uri: dbUrl,
    connectionLimit: opts.poolSize ?? 4,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    enableKeepAlive: true,
    charset: 'UTF8MB4_UNICODE_CI',
    // Statements are prepared server-side (true parameters); keep few per connection so the server's
    // max_prepared_stmt_count is never a problem for the writers.
    maxPreparedStatements: 64,
  });
  pool.pool.on('connection', (conn) => {
    conn.query('SET SESSION TRANSACTION READ ONLY');
  });
  return {
    dialect: 'mysql',
    async query(sql, params) {
      const [rows] = await pool.execute(sql, params as unknown[] as (string | number)[]);
      return rows as DbRow[];
    },
    close: () => pool.end(),
  };
}
