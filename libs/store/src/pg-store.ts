import pg from 'pg';
import type { PoolClient } from 'pg';
import { isReportRecord, type CaptureRecord, type ReportRecord } from '@sipcap/record';
import { captureDay, CaptureDateText, dayText } from './capture-date';
import { classifyPgError } from './classify-pg-error';
import {
  defaultPartitionName,
  OFFSETS_TABLE,
  pgAddMsgRaw,
  pgCreateDayPartition,
  pgCreateDefaultPartition,
  pgCreateOffsetsTable,
  pgCreateReportTable,
  pgCreateTable,
} from './ddl';
import { assertTableName, quotePg } from '@sipcap/schema';
import { DAY_MS, daysAhead, dayWantsPartition, isExpiredDay, partitionDay, type PartitionPolicy } from './partition-window';
import { pgBinaryType } from './pg-copy-binary';
import { RetentionPlan } from './retention-plan';
import { PG_ROW_COLUMNS } from './pg-copy-rows';
import { copyRows, insertRows } from './pg-write-rows';
import { lockPgOffsets, readPgDedupStates, readPgOffsets, upsertPgOffsets } from './pg-offsets';
import { pgInsertReportRows } from './report-write-rows';
import type { RetentionResult, StoredRecord, StoreOptions, TableKind } from './store';
import { errorCode, errorMessage, StoreError } from './store-error';
import { TransactionalStore, type TxConnection } from './transactional-store';

/** Advisory lock keys: (namespace, hashtext(table)) serialises DDL per table across writers. */
export const PG_DDL_LOCK_NAMESPACE = 0x51ca;
/** The session lock only one writer at a time holds while it applies the retention. */
export const PG_RETENTION_LOCK = [0x51cb, 1] as const;

interface PgTableInfo {
  /** Day partitions are managed (DB_PARTITION=day and the table is partitioned). */
  partitioned: boolean;
  /** Its column types take COPY's binary format (every table the store creates; an older one may not). */
  binary: boolean;
  /** Days whose partition exists (or that stay in the default partition). */
  days: Set<number>;
  /** Its window and retention (DB_RETENTION_TABLES may give each table its own). */
  policy: PartitionPolicy;
}

export class PgStore extends TransactionalStore {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly tables = new Map<string, Promise<PgTableInfo>>();
  private offsetsReady?: Promise<void>;
  private readonly dates = new CaptureDateText();
  private readonly policy: PartitionPolicy;
  private readonly retention: RetentionPlan;
  private readonly partitioned: boolean;
  private encodingChecked = false;

  constructor(dbUrl: string, opts: StoreOptions = {}) {
    super(opts);
    this.partitioned = opts.partition === 'day';
    this.retention = opts.retention ?? new RetentionPlan({ defaultDays: opts.retentionDays ?? 0 });
    this.policy = {
      aheadDays: opts.partitionAheadDays ?? 3,
      pastDays: opts.partitionPastDays ?? 7,
      retentionDays: this.retention.opts.defaultDays,
    };
    if (opts.insertMode === 'delayed') this.log('info', 'DB_INSERT_MODE=1 has no effect on PostgreSQL: rows go through COPY');
    // connectionTimeoutMillis: a server that never answers is a retryable failure, not a write that waits forever.
    this.pool = new pg.Pool({
      connectionString: dbUrl,
      max: opts.poolSize ?? 4,
      application_name: 'sipcap-store',
      connectionTimeoutMillis: 10_000,
    });
    // An idle pooled connection that breaks must not crash the process; the next query reconnects.
    this.pool.on('error', (e) => this.log('warn', `PostgreSQL: idle connection failed: ${e.message}`));
  }

  protected classify(e: unknown): StoreError {
    return classifyPgError(e);
  }

  protected async acquire(): Promise<TxConnection> {
    const client = await this.checkout();
    return {
      id: (client as unknown as { processID: number }).processID,
      exec: async (sql) => {
        await client.query(sql);
      },
      writeRows: async (table, rows) => {
        if (isReportRecord(rows[0])) return pgInsertReportRows(client, table, rows as ReportRecord[], this.dates);
        const records = rows as CaptureRecord[];
        if (this.opts.pgMethod === 'insert') return insertRows(client, table, records, this.dates);
        const info = await this.tableInfo(table);
        return copyRows(client, table, records, this.opts.pgMethod === 'copy-text' || !info.binary ? this.dates : 'binary');
      },
      writeOffsets: (offsets) => upsertPgOffsets(client, offsets),
      lockOffsets: (group, topic, partitions) => lockPgOffsets(client, group, topic, partitions),
      release: (destroy) => this.checkin(client, destroy),
    };
  }

  /**
   * A pooled client with an error listener while it is checked out: a connection that breaks between two
   * queries (server shutdown, terminated backend) emits 'error', which would otherwise crash the process.
   * The next query on it fails and is classified as retryable.
   */
  private async checkout(): Promise<PoolClient> {
    const client = await this.pool.connect();
    client.on('error', this.onClientError);
    return client;
  }

  private checkin(client: PoolClient, destroy: boolean): void {
    client.off('error', this.onClientError);
    client.release(destroy || undefined);
  }

  private readonly onClientError = (e: Error) => this.log('warn', `PostgreSQL: connection failed: ${e.message}`);

  protected forgetTables(): void {
    this.tables.clear();
  }

  protected async prepareTables(groups: Map<string, StoredRecord[]>): Promise<void> {
    for (const [table, records] of groups) {
      const info = await this.tableInfo(table, isReportRecord(records[0]) ? 'report' : 'sip');
      if (!info.partitioned) continue;
      const days = new Set<number>();
      for (const r of records) days.add(captureDay(r.micro_ts));
      await this.ensureDays(table, info, days);
    }
  }

  async ensureTable(table: string, kind: TableKind = 'sip'): Promise<void> {
    assertTableName(table);
    try {
      await this.tableInfo(table, kind);
    } catch (e) {
      throw classifyPgError(e);
    }
  }

  async ensureOffsetsTable(): Promise<void> {
    this.offsetsReady ??= this.withClient(async (c) => {
      await this.checkEncoding(c);
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog: serialise it.
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PG_DDL_LOCK_NAMESPACE, OFFSETS_TABLE]);
      for (const s of pgCreateOffsetsTable()) await c.query(s);
      await c.query('COMMIT');
    }).catch((e) => {
      this.offsetsReady = undefined;
      throw classifyPgError(e);
    });
    return this.offsetsReady;
  }

  async readOffsets(group: string, topic: string): Promise<Map<number, string>> {
    await this.ensureOffsetsTable();
    try {
      return await readPgOffsets(this.pool, group, topic);
    } catch (e) {
      throw classifyPgError(e);
    }
  }

  async readDedupStates(group: string, topic: string): Promise<Map<number, Buffer>> {
    await this.ensureOffsetsTable();
    try {
      return await readPgDedupStates(this.pool, group, topic);
    } catch (e) {
      throw classifyPgError(e);
    }
  }

  async applyRetention(now: Date = new Date()): Promise<RetentionResult> {
    const result: RetentionResult = { locked: true, dropped: [], defaultRowsDeleted: 0 };
    if (!this.retention.active) return result;
    const nowMs = now.getTime();
    // Tables this store manages, resolved before taking a connection (creating one needs a connection too).
    const managed: [string, PgTableInfo][] = [];
    for (const [table, pending] of this.tables) {
      const info = await pending.catch(() => undefined);
      if (info?.partitioned && info.policy.retentionDays > 0) managed.push([table, info]);
    }
    let client: PoolClient;
    try {
      client = await this.checkout();
    } catch (e) {
      throw classifyPgError(e);
    }
    let destroy = false;
    try {
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [...PG_RETENTION_LOCK]);
      if (!lock.rows[0].ok) return { ...result, locked: false };
      try {
        // Dated tables first: a dropped table's partitions go with it. Each DROP is one statement, so a
        // runner stopped half-way leaves whole tables, and the next run goes on.
        if (this.retention.datedTemplates.length > 0) {
          const tables = await client.query<{ relname: string }>(
            "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND NOT relispartition AND relnamespace = current_schema()::regnamespace",
          );
          for (const table of this.retention.expiredTables(
            tables.rows.map((r) => r.relname),
            nowMs,
          )) {
            await client.query(`DROP TABLE IF EXISTS ${quotePg(table)}`);
            this.tables.delete(table);
            result.dropped.push(table);
            this.log('info', `retention: dropped ${table}`);
          }
        }
        for (const [table, info] of managed) {
          if (result.dropped.includes(table)) continue;
          const parts = await client.query<{ relname: string }>(
            'SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass($1)',
            [quotePg(table)],
          );
          for (const { relname } of parts.rows) {
            const day = partitionDay(table, relname);
            if (day === undefined || !isExpiredDay(day, nowMs, info.policy)) continue;
            await client.query(`DROP TABLE IF EXISTS ${quotePg(relname)}`);
            info.days.delete(day);
            result.dropped.push(relname);
            this.log('info', `retention: dropped ${relname}`);
          }
          const def = quotePg(defaultPartitionName(table));
          const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [def]);
          if (exists.rows[0].ok) {
            const cutoff = new Date(nowMs - info.policy.retentionDays * DAY_MS).toISOString().replace('T', ' ').replace('Z', '');
            const del = await client.query(`DELETE FROM ${def} WHERE "date" < $1`, [cutoff]);
            result.defaultRowsDeleted += del.rowCount ?? 0;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [...PG_RETENTION_LOCK]);
      }
      if (result.defaultRowsDeleted > 0)
        this.log('info', `retention: deleted ${result.defaultRowsDeleted} expired rows from default partitions`);
      return result;
    } catch (e) {
      destroy = true;
      throw classifyPgError(e);
    } finally {
      this.checkin(client, destroy);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The table's state, created (with its partitions) on first use; a failure is retried next time. */
  private tableInfo(table: string, kind: TableKind = 'sip'): Promise<PgTableInfo> {
    let p = this.tables.get(table);
    if (!p) {
      p = this.createTable(table, kind);
      this.tables.set(table, p);
      p.catch(() => this.tables.delete(table));
    }
    return p;
  }

  private async createTable(table: string, tableKind: TableKind): Promise<PgTableInfo> {
    const { kind: relkind, binary } = await this.withClient(async (c) => {
      await this.checkEncoding(c);
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PG_DDL_LOCK_NAMESPACE, table]);
      const found = await c.query<{ relkind: string }>('SELECT relkind FROM pg_class WHERE oid = to_regclass($1)', [quotePg(table)]);
      let kind = found.rows[0]?.relkind;
      if (kind === undefined) {
        const ddl = tableKind === 'report' ? pgCreateReportTable : pgCreateTable;
        for (const s of ddl(table, { partitioned: this.partitioned })) await c.query(s);
        kind = this.partitioned ? 'p' : 'r';
        this.log('info', `created table ${table}${this.partitioned ? ' (partitioned by day)' : ''}`);
      } else if (tableKind === 'sip') {
        const col = await c.query(
          "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'msg_raw' AND NOT attisdropped",
          [quotePg(table)],
        );
        if (col.rowCount === 0) {
          await c.query(pgAddMsgRaw(table));
          this.log('info', `added column msg_raw (exact bytes of non-UTF-8 messages) to existing table ${table}`);
        }
        if (this.partitioned && kind === 'p') await this.createDefaultPartition(c, table);
      } else if (this.partitioned && kind === 'p') {
        await this.createDefaultPartition(c, table);
      }
      // Report tables take INSERTs (report-write-rows.ts); only SIP tables are COPY'd in binary.
      const binary = tableKind === 'sip' && (await this.takesBinaryCopy(c, table));
      await c.query('COMMIT');
      return { kind, binary };
    });
    if (this.partitioned && relkind !== 'p') {
      this.log('warn', `DB_PARTITION=day: table ${table} exists and is not partitioned; writing to it as it is`);
    }
    const policy = { ...this.policy, retentionDays: this.retention.daysForTable(table) };
    const info: PgTableInfo = { partitioned: this.partitioned && relkind === 'p', binary, days: new Set(), policy };
    if (info.partitioned) await this.ensureDays(table, info, new Set(daysAhead(Date.now(), policy)));
    return info;
  }

  /** Whether every column the rows are written to has the type COPY's binary values are encoded for. */
  private async takesBinaryCopy(c: PoolClient, table: string): Promise<boolean> {
    const r = await c.query<{ attname: string; type: string }>(
      'SELECT attname, format_type(atttypid, NULL) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped',
      [quotePg(table)],
    );
    const types = new Map(r.rows.map((row) => [row.attname, row.type]));
    const differing = PG_ROW_COLUMNS.filter((col) => !pgBinaryType(col).includes(types.get(col) ?? ''));
    if (differing.length > 0) {
      this.log(
        'info',
        `table ${table}: column types differ from sipcap's schema (${differing.map((col) => `${col} ${types.get(col)}`).join(', ')}); rows go through COPY's text format`,
      );
    }
    return differing.length === 0;
  }

  private async createDefaultPartition(c: PoolClient, table: string): Promise<void> {
    await c.query('SAVEPOINT sipcap_default');
    try {
      await c.query(pgCreateDefaultPartition(table));
    } catch (e) {
      // 42P17: the table already has a default partition under another name.
      if (errorCode(e) !== '42P17') throw e;
      await c.query('ROLLBACK TO SAVEPOINT sipcap_default');
    }
    await c.query('RELEASE SAVEPOINT sipcap_default');
  }

  /** Creates the missing day partitions the rows need (inside the window); other days use the default. */
  private async ensureDays(table: string, info: PgTableInfo, days: Set<number>): Promise<void> {
    const now = Date.now();
    const missing = [...days].filter((d) => !info.days.has(d) && dayWantsPartition(d, now, info.policy));
    if (missing.length === 0) return;
    missing.sort((a, b) => a - b);
    await this.withClient(async (c) => {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PG_DDL_LOCK_NAMESPACE, table]);
      for (const d of missing) {
        await c.query('SAVEPOINT sipcap_day');
        try {
          await c.query(pgCreateDayPartition(table, d));
        } catch (e) {
          // 23514: the default partition already holds rows of that day; 42P17: another partition covers it.
          const code = errorCode(e);
          if (code !== '23514' && code !== '42P17') throw e;
          await c.query('ROLLBACK TO SAVEPOINT sipcap_day');
          this.log('warn', `rows of ${dayText(d)} stay in ${table}'s default partition: ${errorMessage(e)}`);
        }
        await c.query('RELEASE SAVEPOINT sipcap_day');
      }
      await c.query('COMMIT');
    });
    for (const d of missing) info.days.add(d);
  }

  /** Runs DDL on a pooled connection; rolls back and throws the raw error on failure. */
  private async withClient<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.checkout();
    let destroy = false;
    try {
      return await fn(c);
    } catch (e) {
      try {
        await c.query('ROLLBACK');
      } catch {
        destroy = true;
      }
      throw e;
    } finally {
      this.checkin(c, destroy);
    }
  }

  /** Text columns hold UTF-8; another server encoding would convert or refuse characters. Said once. */
  private async checkEncoding(c: PoolClient): Promise<void> {
    if (this.encodingChecked) return;
    const r = await c.query<{ server_encoding: string }>('SHOW server_encoding');
    this.encodingChecked = true;
    const enc = r.rows[0]?.server_encoding;
    if (enc !== 'UTF8')
      this.log('warn', `PostgreSQL database encoding is ${enc}, not UTF8: non-ASCII header values may be refused or altered`);
  }
}
