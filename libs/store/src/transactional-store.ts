import { groupByTable } from './group-rows';
import { checkGroupTopic, checkPartition, checkRow, isPartition } from './row-check';
import type {
  BatchOffset,
  BatchRow,
  LogLevel,
  OffsetRow,
  PositionedResult,
  RejectedRow,
  RetentionResult,
  Store,
  StoredRecord,
  StoreOptions,
  TableKind,
} from './store';
import { StoreError } from './store-error';

/** One pooled connection, as the shared transaction logic needs it. */
export interface TxConnection {
  /** The server's id of this connection (PostgreSQL backend pid, MySQL thread id). */
  readonly id: number;
  exec(sql: string): Promise<void>;
  /** Rows of one table: all SIP records or all report records (a table has one column set). */
  writeRows(table: string, records: StoredRecord[]): Promise<void>;
  /** Upserts the offsets (of partitions this transaction locked, or reset). */
  writeOffsets(offsets: readonly BatchOffset[]): Promise<void>;
  /**
   * Locks the offsets rows of these partitions (sorted, creating missing ones at 0) until the end of the
   * transaction and returns their next offsets: a concurrent writer of the same partitions waits here.
   */
  lockOffsets(group: string, topic: string, partitions: readonly number[]): Promise<Map<number, bigint>>;
  /** Returns the connection to the pool, or closes it when it may be broken. */
  release(destroy: boolean): void;
}

const SAVEPOINT = 'sipcap_isolate';

/**
 * writePositioned for both dialects: rows and offsets in one transaction, refused rows isolated inside it
 * with savepoints, so the offsets only ever advance together with the rows they cover.
 */
export abstract class TransactionalStore implements Store {
  abstract readonly dialect: 'postgres' | 'mysql';

  constructor(protected readonly opts: StoreOptions) {}

  protected abstract classify(e: unknown): StoreError;
  protected abstract acquire(): Promise<TxConnection>;
  /** Creates whatever the rows need before the transaction: tables, partitions. */
  protected abstract prepareTables(groups: Map<string, StoredRecord[]>): Promise<void>;
  /** Drops the cache of known tables (one was dropped behind the store's back). */
  protected abstract forgetTables(): void;

  abstract readOffsets(group: string, topic: string): Promise<Map<number, string>>;
  abstract readDedupStates(group: string, topic: string): Promise<Map<number, Buffer>>;
  abstract ensureTable(table: string, kind?: TableKind): Promise<void>;
  abstract ensureOffsetsTable(): Promise<void>;
  abstract applyRetention(now?: Date): Promise<RetentionResult>;
  abstract close(): Promise<void>;

  protected log(level: LogLevel, msg: string): void {
    this.opts.log?.(level, msg);
  }

  async resetOffsets(group: string, topic: string, partitions: readonly number[]): Promise<void> {
    checkGroupTopic(group, topic);
    partitions.forEach(checkPartition);
    if (partitions.length === 0) return;
    await this.prepare(new Map(), true);
    await this.inTransaction((tx) => tx.writeOffsets(partitions.map((partition) => ({ group, topic, partition, nextOffset: '0' }))));
  }

  async writePositioned<R extends OffsetRow>(
    group: string,
    topic: string,
    rows: readonly R[],
    onRejected?: (rejected: RejectedRow<R>[]) => Promise<void>,
  ): Promise<PositionedResult> {
    const partitions = new Set<number>();
    const writable: BatchRow[] = [];
    // Rows that fail the checks before any SQL (only collected with onRejected; otherwise they throw).
    const refusedEarly = new Map<R, StoreError>();
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!isPartition(r.partition) || typeof r.offset !== 'bigint' || r.offset < 0n) {
        throw new StoreError('fatal', 'bad_offset', `row ${i}: invalid Kafka position ${r.partition}/${String(r.offset)}`);
      }
      partitions.add(r.partition);
      if (r.table === null || r.record === null) continue;
      const row = { table: r.table, record: r.record };
      const bad = checkRow(row);
      if (bad && !onRejected) throw new StoreError('data', 'bad_row', `row ${i}: ${bad}`);
      if (bad) refusedEarly.set(r, new StoreError('data', 'bad_row', bad));
      else writable.push(row);
    }
    if (rows.length === 0) return { inserted: 0, rejected: 0, skipped: 0, perTable: new Map() };
    checkGroupTopic(group, topic);
    await this.prepare(groupByTable(writable), true);
    return this.inTransaction(async (tx) => {
      const stored = await tx.lockOffsets(
        group,
        topic,
        [...partitions].sort((a, b) => a - b),
      );
      const next = new Map<number, bigint>();
      // The dedup window of the partition's last written batch goes with its offset (rows come in order).
      const dedup = new Map<number, Buffer>();
      const kept: BatchRow[] = [];
      const rowOf = new Map<BatchRow, R>();
      const rejected: RejectedRow<R>[] = [];
      // A message can also come twice within one batch: a partition fetched again (after a rebalance or
      // a consumer restart) while the first copy still waits in the writer's buffer. The records of one
      // message come with ascending indexes, so a copy shows up as an index not above the last one seen.
      const lastIndex = new Map<number, Map<bigint, number>>();
      let skipped = 0;
      for (const r of rows) {
        let seen = lastIndex.get(r.partition);
        if (!seen) lastIndex.set(r.partition, (seen = new Map()));
        const index = r.index ?? 0;
        const last = seen.get(r.offset);
        if (r.offset < (stored.get(r.partition) ?? 0n) || (last !== undefined && index <= last)) {
          skipped++;
          continue;
        }
        seen.set(r.offset, index);
        if (r.offset + 1n > (next.get(r.partition) ?? 0n)) next.set(r.partition, r.offset + 1n);
        if (r.dedupState) dedup.set(r.partition, r.dedupState);
        if (r.table === null || r.record === null) continue;
        const early = refusedEarly.get(r);
        if (early) {
          rejected.push({ row: r, error: early });
          continue;
        }
        const row = { table: r.table, record: r.record };
        kept.push(row);
        if (onRejected) rowOf.set(row, r);
      }
      let perTable: Map<string, number>;
      if (onRejected) {
        const result = await this.insertIsolating(tx, kept);
        perTable = result.tables;
        for (const r of result.refused) rejected.push({ row: rowOf.get(r.row)!, error: r.error });
        if (rejected.length > 0) {
          try {
            await onRejected(rejected);
          } catch (e) {
            // The refused rows must reach their destination before anything commits: roll back, retry later.
            throw new StoreError('retryable', 'rejected_rows', `handing over refused rows failed: ${(e as Error).message}`, undefined, {
              cause: e,
            });
          }
        }
      } else {
        perTable = new Map();
        for (const [table, records] of groupByTable(kept)) {
          await tx.writeRows(table, records);
          perTable.set(table, records.length);
        }
      }
      if (next.size > 0) {
        await tx.writeOffsets(
          [...next].map(([partition, n]) => ({ group, topic, partition, nextOffset: String(n), dedupState: dedup.get(partition) })),
        );
      }
      let inserted = 0;
      for (const n of perTable.values()) inserted += n;
      return { inserted, rejected: rejected.length, skipped, perTable };
    });
  }

  /**
   * Inserts `rows` inside the open transaction, each attempt under a savepoint; a data error halves the
   * attempt until every refused row stands alone. Returns what was inserted per table and what was refused.
   */
  private async insertIsolating(
    tx: TxConnection,
    rows: readonly BatchRow[],
  ): Promise<{ tables: Map<string, number>; refused: { row: BatchRow; error: StoreError }[] }> {
    const tables = new Map<string, number>();
    const refused: { row: BatchRow; error: StoreError }[] = [];
    const attempt = async (part: readonly BatchRow[]): Promise<void> => {
      await tx.exec(`SAVEPOINT ${SAVEPOINT}`);
      const groups = groupByTable(part);
      try {
        for (const [table, records] of groups) await tx.writeRows(table, records);
        await tx.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        for (const [table, records] of groups) tables.set(table, (tables.get(table) ?? 0) + records.length);
        return;
      } catch (e) {
        const err = this.classify(e);
        if (err.kind !== 'data') throw err;
        await tx.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        await tx.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        if (part.length === 1) {
          refused.push({ row: part[0], error: err });
          return;
        }
      }
      const mid = part.length >> 1;
      await attempt(part.slice(0, mid));
      await attempt(part.slice(mid));
    };
    if (rows.length > 0) await attempt(rows);
    return { tables, refused };
  }

  private async prepare(groups: Map<string, StoredRecord[]>, needsOffsets: boolean): Promise<void> {
    try {
      if (needsOffsets) await this.ensureOffsetsTable();
      await this.prepareTables(groups);
    } catch (e) {
      throw this.classify(e);
    }
  }

  /** BEGIN, body, COMMIT; any failure rolls back and throws a classified StoreError. */
  private async inTransaction<T>(body: (tx: TxConnection) => Promise<T>): Promise<T> {
    let tx: TxConnection;
    try {
      tx = await this.acquire();
    } catch (e) {
      throw this.classify(e);
    }
    let destroy = false;
    try {
      await tx.exec('BEGIN');
      const result = await body(tx);
      await this.opts.beforeCommit?.({ connectionId: tx.id });
      await tx.exec('COMMIT');
      return result;
    } catch (e) {
      const err = this.classify(e);
      if (err.reason === 'connection') destroy = true;
      else {
        try {
          await tx.exec('ROLLBACK');
        } catch {
          destroy = true;
        }
      }
      // A table dropped behind the store's back, or whose engine changed: look at the tables again next time.
      if (err.reason === 'missing_table' || err.reason === 'delayed_unsupported') this.forgetTables();
      throw err;
    } finally {
      tx.release(destroy);
    }
  }
}
