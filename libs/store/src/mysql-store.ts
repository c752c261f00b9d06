import { createPool, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { isReportRecord, type CaptureRecord, type ReportRecord } from '@sipcap/record';
import { CaptureDateText } from './capture-date';
import { classifyMysqlError } from './classify-mysql-error';
import {
  MYSQL_MAX_PARTITION,
  OFFSETS_TABLE,
  mysqlAddDayPartitions,
  mysqlCreateOffsetsTable,
  mysqlCreateReportTable,
  mysqlCreateTable,
  mysqlDayPartitionName,
} from './ddl';
import { dayOf, isExpiredDay, type PartitionPolicy } from './partition-window';
import { assertTableName, MYSQL_COLLATION, quoteMysql } from '@sipcap/schema';
import { mysqlInsertStatements } from './mysql-write-rows';
import { bulkExecute, canBulkExecute, installBulkHandshake, prepareOn } from './mariadb-bulk-command';
import { mariadbBulkCommands, mariadbBulkStatement } from './mariadb-bulk-rows';
import { inMemoryInfile, mysqlLoadRows, mysqlLoadStatement } from './mysql-load-rows';
import { lockMysqlOffsets, readMysqlDedupStates, readMysqlOffsets, upsertMysqlOffsets } from './mysql-offsets';
import { mysqlReportStatements } from './report-write-rows';
import { RetentionPlan } from './retention-plan';
import type { RetentionResult, StoredRecord, StoreOptions, TableKind } from './store';
import { spareWriters } from './spare-writers';
import { StoreError } from './store-error';
import { TransactionalStore, type TxConnection } from './transactional-store';

/**
 * The named lock only one writer at a time holds while it applies the retention. MySQL's lock names are
 * per server: the database's name is part of it (hashed: names are at most 64 characters), so writers of
 * other databases on the same server are not held up.
 */
export const MYSQL_RETENTION_LOCK = "CONCAT('sipcap_retention_', MD5(DATABASE()))";

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
  /** Day partitions are managed (DB_PARTITION=day and the table is partitioned on TO_DAYS(date)). */
  partitioned: boolean;
  /** The last day that has its own partition (days after it are in pmax). */
  lastDay: number;
  policy: PartitionPolicy;
}

/** `pYYYYMMDD` → the UTC day number, or undefined for another name. */
function partitionNameDay(name: string): number | undefined {
  const m = /^p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!m) return undefined;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
  return Number.isInteger(day) && mysqlDayPartitionName(day) === name ? day : undefined;
}

/** Bulk commands of about 1 MiB (~700 rows): the server starts on the first while the rest still travel. */
const BULK_COMMAND_BYTES = 1024 * 1024;

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
  /** Rows go by LOAD DATA LOCAL INFILE until the server refuses it (local_infile=0): then multi-row INSERT. */
  private loadData = true;
  private readonly partitioned: boolean;
  private readonly policy: PartitionPolicy;
  /** The collation new tables of each kind take (tableCollation). */
  private readonly collations = new Map<TableKind, string>();

  constructor(dbUrl: string, opts: StoreOptions = {}) {
    super(opts);
    this.retention = opts.retention ?? new RetentionPlan({ defaultDays: opts.retentionDays ?? 0 });
    this.partitioned = opts.partition === 'day';
    this.policy = {
      aheadDays: opts.partitionAheadDays ?? 3,
      pastDays: opts.partitionPastDays ?? 7,
      retentionDays: this.retention.opts.defaultDays,
    };
    mysqlCreateTable('sip_capture', { engine: opts.mysqlEngine }); // validates the engine name now
    const noBulk = installBulkHandshake(); // before the pool opens its first connection
    if (noBulk) this.log('warn', `MariaDB bulk execute unavailable (${noBulk}); rows go by LOAD DATA`);
    this.pool = createPool({
      uri: dbUrl,
      connectionLimit: opts.poolSize ?? 4,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      enableKeepAlive: true,
      // The escaping of mysql-write-rows relies on utf8mb4 (no multi-byte sequence holds an ASCII byte).
      charset: MYSQL_COLLATION,
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
          for (const sql of mysqlReportStatements(table, records as ReportRecord[], this.dates, server.maxStatementBytes))
            await conn.query(sql);
          return;
        }
        const delayed = this.delayedTables.has(table);
        if (!delayed && canBulkExecute(conn)) return this.bulkRows(conn, table, records as CaptureRecord[], server.maxStatementBytes);
        if (!delayed && this.loadData && (await this.loadRows(conn, table, records as CaptureRecord[]))) return;
        for (const sql of mysqlInsertStatements(table, records as CaptureRecord[], this.dates, server.maxStatementBytes, delayed))
          await conn.query(sql);
      },
      writeOffsets: (offsets) => upsertMysqlOffsets(conn, offsets),
      lockOffsets: (group, topic, partitions) => lockMysqlOffsets(conn, group, topic, partitions),
      release: (destroy) => (destroy ? conn.destroy() : conn.release()),
    };
  }

  /**
   * MariaDB: one prepared INSERT executed for all rows (COM_STMT_BULK_EXECUTE, mariadb-bulk-rows.ts), the
   * fastest path, and one whose lanes do not take turns on the table's AUTO-INC lock as LOAD DATA's do.
   */
  private async bulkRows(conn: PoolConnection, table: string, records: CaptureRecord[], maxBytes: number): Promise<void> {
    const statement = await prepareOn(conn, mariadbBulkStatement(table));
    const w = spareWriters.take();
    const r = await bulkExecute(conn, mariadbBulkCommands(statement, records, this.dates, Math.min(maxBytes, BULK_COMMAND_BYTES), w));
    spareWriters.give(w);
    await this.refuseChanged(conn, table, records.length, r.affectedRows, r.warnings);
  }

  /** False when the server refuses local infile: the caller writes the rows with INSERT (and so does every later batch). */
  private async loadRows(conn: PoolConnection, table: string, records: CaptureRecord[]): Promise<boolean> {
    let result: ResultSetHeader;
    const w = spareWriters.take();
    try {
      [result] = await conn.query<ResultSetHeader>({
        sql: mysqlLoadStatement(table),
        ...inMemoryInfile(mysqlLoadRows(records, this.dates, w)),
      });
      spareWriters.give(w);
    } catch (e) {
      const errno = (e as { errno?: number }).errno;
      // 1148 ER_NOT_ALLOWED_COMMAND (MariaDB), 3948/2068 local infile disabled (MySQL server/client).
      if (errno !== 1148 && errno !== 3948 && errno !== 2068) throw e;
      this.loadData = false;
      this.log(
        'warn',
        `LOAD DATA LOCAL INFILE refused (${(e as Error).message}); writing with multi-row INSERT (slower). Allow it with local_infile=ON`,
      );
      return false;
    }
    await this.refuseChanged(conn, table, records.length, result.affectedRows, result.warningStatus);
    return true;
  }

  /**
   * LOAD DATA LOCAL treats bad values as IGNORE would (the server cannot stop a file half-sent), and so does
   * any insert on a server without strict mode: a row it skips or changes only shows as a warning. Any
   * warning is taken as the data error a strict INSERT would have raised, so the caller rolls back and
   * isolates the row (halving under a savepoint) instead of storing it changed or not at all.
   */
  private async refuseChanged(conn: PoolConnection, table: string, rows: number, affected: number, warnings: number): Promise<void> {
    if (affected === rows && warnings === 0) return;
    const [shown] = await conn.query<RowDataPacket[]>('SHOW WARNINGS LIMIT 1');
    const w = shown[0];
    const refused = classifyMysqlError({ errno: Number(w?.Code ?? 0), code: '', message: String(w?.Message ?? 'row skipped') });
    throw new StoreError(
      'data',
      refused.kind === 'data' ? refused.reason : 'refused_row',
      `${table}: the server stored ${affected} of ${rows} rows with ${warnings} warnings (${w?.Code ?? '?'}: ${w?.Message ?? 'row skipped'})`,
      w ? String(w.Code) : undefined,
    );
  }

  protected forgetTables(): void {
    this.tables.clear();
    this.delayedTables.clear();
  }

  protected async prepareTables(groups: Map<string, StoredRecord[]>): Promise<void> {
    for (const [table, records] of groups) {
      const info = await this.tableInfo(table, isReportRecord(records[0]) ? 'report' : 'sip');
      // Days are split off pmax ahead of time; a new day (the writer ran past midnight) adds the next.
      if (info.partitioned && info.lastDay < dayOf(Date.now()) + info.policy.aheadDays)
        await this.withConnection((c) => this.addDaysAhead(c, table, info));
    }
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
      // Tables made before DEDUP_WINDOW_MS existed get the column (MySQL has no ADD COLUMN IF NOT EXISTS).
      const [col] = await c.query<RowDataPacket[]>(
        "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'dedup_state'",
        [OFFSETS_TABLE],
      );
      if (col.length === 0)
        await c.query(`ALTER TABLE ${quoteMysql(OFFSETS_TABLE)} ADD COLUMN ${quoteMysql('dedup_state')} mediumblob NULL`);
    }).catch((e) => {
      this.offsetsReady = undefined;
      throw classifyMysqlError(e);
    });
    return this.offsetsReady;
  }

  async readDedupStates(group: string, topic: string): Promise<Map<number, Buffer>> {
    await this.ensureOffsetsTable();
    try {
      return await this.withConnection((c) => readMysqlDedupStates(c, group, topic));
    } catch (e) {
      throw classifyMysqlError(e);
    }
  }

  async readOffsets(group: string, topic: string): Promise<Map<number, string>> {
    await this.ensureOffsetsTable();
    try {
      return await this.withConnection((c) => readMysqlOffsets(c, group, topic));
    } catch (e) {
      throw classifyMysqlError(e);
    }
  }

  /** Drops expired dated tables and day partitions under a named lock (GET_LOCK), one writer at a time. */
  async applyRetention(now: Date = new Date()): Promise<RetentionResult> {
    const result: RetentionResult = { locked: true, dropped: [], defaultRowsDeleted: 0 };
    if (!this.retention.active) return result;
    const nowMs = now.getTime();
    const managed: [string, MysqlTableInfo][] = [];
    for (const [table, pending] of this.tables) {
      const info = await pending.catch(() => undefined);
      if (info?.partitioned && info.policy.retentionDays > 0) managed.push([table, info]);
    }
    try {
      return await this.withConnection(async (c) => {
        const [lock] = await c.query<RowDataPacket[]>(`SELECT GET_LOCK(${MYSQL_RETENTION_LOCK}, 0) AS ok`);
        if (Number(lock[0].ok) !== 1) return { ...result, locked: false };
        try {
          // Each DROP is one statement, logged as it is done: a runner stopped half-way leaves whole tables and
          // partitions, and the next run (which lists what exists again) drops the rest.
          if (this.retention.datedTemplates.length > 0) {
            const [rows] = await c.query<RowDataPacket[]>(
              "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
            );
            for (const table of this.retention.expiredTables(
              rows.map((r) => String(r.t)),
              nowMs,
            )) {
              await c.query(`DROP TABLE IF EXISTS ${quoteMysql(table)}`);
              this.tables.delete(table);
              result.dropped.push(table);
              this.log('info', `retention: dropped ${table}`);
            }
          }
          for (const [table, info] of managed) {
            if (result.dropped.includes(table)) continue;
            const expired = (await this.dayPartitions(c, table)).filter((d) => isExpiredDay(d, nowMs, info.policy));
            if (expired.length === 0) continue;
            const names = expired.map(mysqlDayPartitionName);
            // One statement for the table's expired days: MariaDB's DDL is atomic (10.6+), all of them or none.
            await c.query(`ALTER TABLE ${quoteMysql(table)} DROP PARTITION ${names.join(', ')}`);
            result.dropped.push(...names.map((n) => `${table}#${n}`));
            this.log('info', `retention: dropped ${names.map((n) => `${table}#${n}`).join(', ')}`);
          }
        } finally {
          await c.query(`SELECT RELEASE_LOCK(${MYSQL_RETENTION_LOCK})`);
        }
        return result;
      });
    } catch (e) {
      throw classifyMysqlError(e);
    }
  }

  /** The days that have a partition of their own, ascending (none when the table is not day-partitioned). */
  private async dayPartitions(c: PoolConnection, table: string): Promise<number[]> {
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT PARTITION_NAME AS p FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION',
      [table],
    );
    return rows.map((r) => partitionNameDay(String(r.p))).filter((d): d is number => d !== undefined);
  }

  /** Splits today .. today+ahead off pmax, under a per-table named lock (other writers do the same). */
  private async addDaysAhead(c: PoolConnection, table: string, info: MysqlTableInfo): Promise<void> {
    const lockName = `sipcap_ddl_${table}`.slice(0, 64);
    await c.query('SELECT GET_LOCK(?, 30)', [lockName]);
    try {
      const existing = await this.dayPartitions(c, table);
      const last = existing.length > 0 ? existing[existing.length - 1] : -Infinity;
      const today = dayOf(Date.now());
      const wanted: number[] = [];
      for (let d = Math.max(today, last + 1); d <= today + info.policy.aheadDays; d++) wanted.push(d);
      if (wanted.length > 0) {
        await c.query(mysqlAddDayPartitions(table, wanted));
        this.log('info', `table ${table}: day partitions ${wanted.map(mysqlDayPartitionName).join(', ')}`);
      }
      info.lastDay = Math.max(last, ...wanted);
    } finally {
      await c.query('SELECT RELEASE_LOCK(?)', [lockName]);
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
    this.log(
      'info',
      `${version}: SIP rows go by ${canBulkExecute(conn) ? 'bulk execute (COM_STMT_BULK_EXECUTE)' : 'LOAD DATA LOCAL INFILE'}`,
    );
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

  /**
   * The utf8mb4 collation of the capture tables of this kind already in the database, else
   * MYSQL_COLLATION: the web reads a day's tables and the next day's under one UNION ALL, which MySQL
   * refuses between two utf8mb4 collations (tables created before MYSQL_COLLATION changed keep theirs).
   */
  private async tableCollation(c: PoolConnection, kind: TableKind): Promise<string> {
    let collation = this.collations.get(kind);
    if (collation) return collation;
    const [rows] = await c.query<RowDataPacket[]>(
      "SELECT COLLATION_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = ? AND COLLATION_NAME LIKE 'utf8mb4\\_%' " +
        "AND TABLE_NAME IN (SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'micro_ts') " +
        'ORDER BY TABLE_NAME DESC LIMIT 1',
      [kind === 'report' ? 'correlation_id' : 'callid'],
    );
    collation = rows.length > 0 ? String(rows[0].c) : MYSQL_COLLATION;
    this.collations.set(kind, collation);
    return collation;
  }

  private async createTable(c: PoolConnection, table: string, kind: TableKind): Promise<MysqlTableInfo> {
    const [exists] = await c.query<RowDataPacket[]>(
      'SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    if (exists.length === 0) {
      const ddl = kind === 'report' ? mysqlCreateReportTable : mysqlCreateTable;
      const collation = await this.tableCollation(c, kind);
      for (const s of ddl(table, { engine: this.opts.mysqlEngine, partitioned: this.partitioned, collation })) await c.query(s);
      const notes = [
        this.partitioned && 'partitioned by day',
        collation !== MYSQL_COLLATION && `${collation}, as the capture tables there`,
      ].filter(Boolean);
      this.log('info', `created table ${table}${notes.length ? ` (${notes.join('; ')})` : ''}`);
    }
    const policy = { ...this.policy, retentionDays: this.retention.daysForTable(table) };
    let partitioned = false;
    if (this.partitioned) {
      const [parts] = await c.query<RowDataPacket[]>(
        'SELECT 1 FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME = ?',
        [table, MYSQL_MAX_PARTITION],
      );
      partitioned = parts.length > 0;
      if (!partitioned) this.log('warn', `DB_PARTITION=day: table ${table} exists and is not partitioned by day; writing to it as it is`);
    }
    const info: MysqlTableInfo = { delayed: false, partitioned, lastDay: -Infinity, policy };
    if (partitioned) await this.addDaysAhead(c, table, info);
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    const engine = String(rows[0]?.engine ?? 'unknown');
    // Report rows always take plain INSERTs in the transaction (report-write-rows.ts).
    if (this.opts.insertMode !== 'delayed' || kind === 'report') return info;
    const server = await this.serverInfo(c);
    if (!server.mariadb) {
      this.log('warn', `DB_INSERT_MODE=1: ${server.version} ignores INSERT DELAYED; table ${table} gets plain batched INSERT`);
      return info;
    }
    if (!DELAYED_ENGINES.has(engine.toUpperCase())) {
      this.log('warn', `DB_INSERT_MODE=1: table ${table} uses ${engine}, which has no INSERT DELAYED; using plain batched INSERT`);
      return info;
    }
    this.log('info', `DB_INSERT_MODE=1: INSERT DELAYED into ${table} (${engine}); these rows are not transactional`);
    info.delayed = true;
    return info;
  }
}
