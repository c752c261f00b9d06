import mysql from 'mysql2/promise';
import pg from 'pg';
import { dialectOf, MYSQL_COLLATION, type Dialect } from '@sipcap/schema';
import { isStatementTimeout, QueryTimeoutError } from './query-timeout';

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
  /**
   * Server-side timeout of every statement (default 15 s): PostgreSQL statement_timeout, MySQL
   * max_execution_time, MariaDB max_statement_time. A statement stopped by it rejects with QueryTimeoutError.
   */
  statementTimeoutMs?: number;
  onIdleError?: (e: Error) => void;
}

const PG_TIMESTAMP = 1114;
const DEFAULT_TIMEOUT_MS = 15_000;
/** ER_UNKNOWN_SYSTEM_VARIABLE: MySQL has no max_statement_time, MariaDB no max_execution_time. */
const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;

function timeoutOf(opts: SearchDbOptions): number {
  const ms = opts.statementTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`statementTimeoutMs: expected a whole number of milliseconds, got ${ms}`);
  return ms;
}

function rethrow(e: unknown, timeoutMs: number): never {
  throw isStatementTimeout(e) ? new QueryTimeoutError(timeoutMs) : e;
}

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
  const timeoutMs = timeoutOf(opts);
  const pool = new pg.Pool({
    connectionString: dbUrl,
    max: opts.poolSize ?? 4,
    application_name: 'sipcap-web',
    options: `-c default_transaction_read_only=on -c statement_timeout=${timeoutMs}`,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_TIMESTAMP ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (e) => opts.onIdleError?.(e));
  return {
    dialect: 'postgres',
    async query(sql, params) {
      try {
        return (await pool.query(sql, params as unknown[])).rows as DbRow[];
      } catch (e) {
        return rethrow(e, timeoutMs);
      }
    },
    close: () => pool.end(),
  };
}

function openMysql(dbUrl: string, opts: SearchDbOptions): SearchDb {
  const timeoutMs = timeoutOf(opts);
  const pool = mysql.createPool({
    uri: dbUrl,
    connectionLimit: opts.poolSize ?? 4,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    enableKeepAlive: true,
    charset: MYSQL_COLLATION,
    // Statements are prepared server-side (true parameters); keep few per connection so the server's
    // max_prepared_stmt_count is never a problem for the writers.
    maxPreparedStatements: 64,
  });
  // Both timeouts are set on every new session, before any search runs on it (a connection runs its
  // commands in order): MariaDB knows only max_statement_time (seconds), MySQL only max_execution_time
  // (milliseconds, SELECTs); the other one fails with ER_UNKNOWN_SYSTEM_VARIABLE, which is expected.
  const expectUnknown = (e: { errno?: number; message: string } | null) => {
    if (e && e.errno !== ER_UNKNOWN_SYSTEM_VARIABLE) opts.onIdleError?.(new Error(`setting the statement timeout: ${e.message}`));
  };
  pool.pool.on('connection', (conn) => {
    conn.query('SET SESSION TRANSACTION READ ONLY');
    conn.query(`SET SESSION max_statement_time = ${timeoutMs / 1000}`, expectUnknown);
    conn.query(`SET SESSION max_execution_time = ${timeoutMs}`, expectUnknown);
  });
  return {
    dialect: 'mysql',
    async query(sql, params) {
      try {
        const [rows] = await pool.execute(sql, params as unknown[] as (string | number)[]);
        return rows as DbRow[];
      } catch (e) {
        return rethrow(e, timeoutMs);
      }
    },
    close: () => pool.end(),
  };
}
