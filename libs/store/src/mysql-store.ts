import { createPool, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { isReportRecord, type CaptureRecord, type ReportRecord } from '@sipcap/record';
import { CaptureDateText } from './capture-date';
import { classifyMysqlError } from './classify-mysql-error';
import { mysqlCreateOffsetsTable, mysqlCreateReportTable, mysqlCreateTable } from './ddl';
import { assertTableName, quoteMysql } from './identifier';
import { mysqlInsertStatements } from './mysql-write-rows';
import { lockMysqlOffsets, readMysqlOffsets, upsertMysqlOffsets } from './mysql-offsets';
import { mysqlReportStatements } from './report-write-rows';
import { RetentionPlan } from './retention-plan';
import type { RetentionResult, StoredRecord, StoreOptions, TableKind } from './store';
import { StoreError } from './store-error';
import { TransactionalStore, type TxConnection } from './transactional-store';

/** The named lock (per server) only one writer at a time holds while it applies the retention. */
export const MYSQL_RETENTION_LOCK = 'sipcap_retention';

/** Engines MariaDB accepts INSERT DELAYED for (InnoDB refuses it with error 1616). */
const DELAYED_ENGINES = new Set(['MYISAM', 'MEMORY', 'ARCHIVE', 'BLACKHOLE']);

/**
 * Run on every new connection. mysql2 escapes with backslashes: NO_BACKSLASH_ESCAPES would make that
 * escaping unsafe, so it is removed from the session's sql_mode whatever the server's default is.
 */
export const MYSQL_SESSION_SETUP =
  "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ',')), time_zone = '+00:00'";

interface ServerInfo {
  mariadb: boolean;
  version: string;
  /** Longest INSERT statement sent, in bytes: under max_allowed_packet, at most 8 MiB. */
  maxStatementBytes: number;
}

interface MysqlTableInfo {
  delayed: boolean;
}

export class MysqlStore extends TransactionalStore {
  readonly dialect = 'mysql' as const;
  private readonly pool: Pool;
  private readonly tables = new Map<string, Promise<MysqlTableInfo>>();
  /** Tables written with INSERT DELAYED, read inside a transaction without waiting for anything. */
  private readonly delayedTables = new Set<string>();
  private readonly sessions = new WeakSet<object>();
  private readonly dates = new CaptureDateText();
  private offsetsReady?: Promise<void>;
  private server?: ServerInfo;
  private readonly retention: RetentionPlan;

  constructor(dbUrl: string, opts: StoreOptions = {}) {
    super(opts);
    if (opts.partition === 'day') throw new Error('DB_PARTITION=day is supported with PostgreSQL only');
    this.retention = opts.retention ?? new RetentionPlan({ defaultDays: opts.retentionDays ?? 0 });
    mysqlCreateTable('sip_capture', { engine: opts.mysqlEngine }); // validates the engine name now
    this.pool = createPool({
      uri: dbUrl,
      connectionLimit: opts.poolSize ?? 4,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      enableKeepAlive: true,
      // The escaping of mysql-write-rows relies on utf8mb4 (no multi-byte sequence holds an ASCII byte).
      charset: 'UTF8MB4_UNICODE_CI',
    });
  }

  protected classify(e: unknown): StoreError {
    return classifyMysqlError(e);
  }

  protected async acquire(): Promise<TxConnection> {
    const conn = await this.connection();
    return {
      id: conn.threadId,
      exec: async (sql) => {
        await conn.query(sql === 'BEGIN' ? 'START TRANSACTION' : sql);
      },
      writeRows: async (table, records) => {
        const server = await this.serverInfo(conn);
        if (isReportRecord(records[0])) {
          for (const sql of mysqlReportStatements(table, records as ReportRecord[], this.dates, server.maxStatementBytes)) await conn.query(sql);
          return;
        }
        const delayed = this.delayedTables.has(table);
        for (const sql of mysqlInsertStatements(table, records as CaptureRecord[], this.dates, server.maxStatementBytes, delayed)) await conn.query(sql);
      },
      writeOffsets: (offsets) => upsertMysqlOffsets(conn, offsets),
      lockOffsets: (group, topic, partitions) => lockMysqlOffsets(conn, group, topic, partitions),
      release: (destroy) => (destroy ? conn.destroy() : conn.release()),
    };
  }

  protected forgetTables(): void {
    this.tables.clear();
    this.delayedTables.clear();
  }

  protected async prepareTables(groups: Map<string, StoredRecord[]>): Promise<void> {
    for (const [table, records] of groups) await this.tableInfo(table, isReportRecord(records[0]) ? 'report' : 'sip');
  }

  async ensureTable(table: string, kind: TableKind = 'sip'): Promise<void> {
    assertTableName(table);
    try {
      await this.tableInfo(table, kind);
    } catch (e) {
      throw classifyMysqlError(e);
    }
  }

  async ensureOffsetsTable(): Promise<void> {
    this.offsetsReady ??= this.withConnection(async (c) => {
      for (const s of mysqlCreateOffsetsTable()) await c.query(s);
    }).catch((e) => {
      this.offsetsReady = undefined;
      throw classifyMysqlError(e);
    });
    return this.offsetsReady;
  }

  async readOffsets(group: string, topic: string): Promise<Map<number, string>> {
    await this.ensureOffsetsTable();
    try {
      return await this.withConnection((c) => readMysqlOffsets(c, group, topic));
    } catch (e) {
      throw classifyMysqlError(e);
    }
  }

  /** Drops the expired dated tables under a named lock (GET_LOCK), one writer at a time. */
  async applyRetention(now: Date = new Date()): Promise<RetentionResult> {
    const result: RetentionResult = { locked: true, dropped: [], defaultRowsDeleted: 0 };
    if (this.retention.datedTemplates.length === 0) return result;
    try {
      return await this.withConnection(async (c) => {
        const [lock] = await c.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [MYSQL_RETENTION_LOCK]);
        if (Number(lock[0].ok) !== 1) return { ...result, locked: false };
        try {
          const [rows] = await c.query<RowDataPacket[]>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'");
          // Each DROP is one statement: a runner stopped half-way leaves whole tables; the next run goes on.
          for (const table of this.retention.expiredTables(rows.map((r) => String(r.t)), now.getTime())) {
            await c.query(`DROP TABLE IF EXISTS ${quoteMysql(table)}`);
            this.tables.delete(table);
            result.dropped.push(table);
          }
        } finally {
          await c.query('SELECT RELEASE_LOCK(?)', [MYSQL_RETENTION_LOCK]);
        }
        if (result.dropped.length > 0) this.log('info', `retention: dropped ${result.dropped.join(', ')}`);
        return result;
      });
    } catch (e) {
      throw classifyMysqlError(e);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** A pooled connection whose session is set up for the client-side escaping and UTC. */
  private async connection(): Promise<PoolConnection> {
    const conn = await this.pool.getConnection();
    const core = (conn as unknown as { connection: { on(event: 'error', fn: (e: Error) => void): void } }).connection;
    if (!this.sessions.has(core)) {
      // A connection that breaks between queries emits 'error'; unheard, that would crash the process.
      core.on('error', (e) => this.log('warn', `MySQL: connection failed: ${e.message}`));
      try {
        await conn.query(MYSQL_SESSION_SETUP);
        await this.serverInfo(conn);
      } catch (e) {
        conn.destroy();
        throw e;
      }
      this.sessions.add(core);
    }
    return conn;
  }

  private async withConnection<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.connection();
    try {
      return await fn(conn);
    } finally {
      conn.release();
    }
  }

  private async serverInfo(conn: PoolConnection): Promise<ServerInfo> {
    if (this.server) return this.server;
    const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version, @@max_allowed_packet AS max_packet');
    const version = String(rows[0].version);
    const maxPacket = Number(rows[0].max_packet);
    this.server = {
      version,
      mariadb: /mariadb/i.test(version),
      maxStatementBytes: Math.max(64 * 1024, Math.min(maxPacket - 4096, 8 * 1024 * 1024)),
    };
    return this.server;
  }

  private tableInfo(table: string, kind: TableKind = 'sip'): Promise<MysqlTableInfo> {
    let p = this.tables.get(table);
    if (!p) {
      p = this.withConnection((c) => this.createTable(c, table, kind)).then((info) => {
        if (info.delayed) this.delayedTables.add(table);
        return info;
      });
      this.tables.set(table, p);
      p.catch(() => this.tables.delete(table));
    }
    return p;
  }

  private async createTable(c: PoolConnection, table: string, kind: TableKind): Promise<MysqlTableInfo> {
    const [exists] = await c.query<RowDataPacket[]>(
      'SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    if (exists.length === 0) {
      const ddl = kind === 'report' ? mysqlCreateReportTable : mysqlCreateTable;
      for (const s of ddl(table, { engine: this.opts.mysqlEngine })) await c.query(s);
      this.log('info', `created table ${table}`);
    }
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    const engine = String(rows[0]?.engine ?? 'unknown');
    // Report rows always take plain INSERTs in the transaction (report-write-rows.ts).
    if (this.opts.insertMode !== 'delayed' || kind === 'report') return { delayed: false };
    const server = await this.serverInfo(c);
    if (!server.mariadb) {
      this.log('warn', `DB_INSERT_MODE=1: ${server.version} ignores INSERT DELAYED; table ${table} gets plain batched INSERT`);
      return { delayed: false };
    }
    if (!DELAYED_ENGINES.has(engine.toUpperCase())) {
      this.log('warn', `DB_INSERT_MODE=1: table ${table} uses ${engine}, which has no INSERT DELAYED; using plain batched INSERT`);
      return { delayed: false };
    }
    this.log('info', `DB_INSERT_MODE=1: INSERT DELAYED into ${table} (${engine}); these rows are not transactional`);
    return { delayed: true };
  }
}
