import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { decodeRecord, splitRecordValue, type CaptureRecord } from '@sipcap/record';
import type { RejectedRow, Store } from './store';
import type { TableRouter } from './table-name';

/** One row to write, with the Kafka position it came from (the idempotency key). */
export interface PositionedRow {
  partition: number;
  offset: bigint;
  /** Place of the record in its Kafka message (a record batch holds many). */
  index: number;
  /** null: nothing to insert (the record was dead-lettered), only the offset moves on. */
  table: string | null;
  record: CaptureRecord | null;
  /** The encoded record (record.msg points into it) and its message's key, for the dead-letter topic. */
  source?: { key: Buffer | null; value: Buffer | null };
}

/** What the delayed writer needs of a store (PgStore and MysqlStore in this lib). */
export type PositionedStore = Pick<Store, 'writePositioned'>;

export interface DeadLetter {
  partition: number;
  offset: bigint;
  index: number;
  key: Buffer | null;
  value: Buffer | null;
  error: string;
}

interface Waiter {
  rows: PositionedRow[];
  resolve(): void;
  reject(e: Error): void;
}

export interface DelayedWriterOptions {
  store: PositionedStore;
  router: TableRouter;
  group: string;
  topic: string;
  /** DB_BATCH_SIZE: flush when this many rows are buffered. */
  batchSize: number;
  /** DB_FLUSH_MS: or when the oldest buffered row has waited this long. */
  flushMs: number;
  /** Called (and awaited) before a record that can never be inserted is passed over. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Decides whether a write error may succeed later (outage) or is caused by the data itself. */
  isRetryable(e: unknown): boolean;
  log: Logger;
  registry?: Registry;
}

/**
 * The "delayed insert": rows from many Kafka batches (all partitions) are buffered and written as one
 * insert when DB_BATCH_SIZE rows are waiting or DB_FLUSH_MS has passed. `add` resolves only after its
 * rows are committed, so the consumer commits offsets after the insert. A database outage is retried
 * with backoff for as long as it lasts; after a data error the batch is written again with the refused
 * rows found inside the transaction and dead-lettered before it commits, so the rest are stored and
 * nothing is passed over that the dead-letter topic does not hold.
 */
export class DelayedWriter {
  private waiting: Waiter[] = [];
  private waitingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private readonly m;

  constructor(private readonly opts: DelayedWriterOptions) {
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      inserted: new Counter({ name: 'sipcap_db_rows_inserted_total', help: 'Rows inserted, by table', labelNames: ['table'], registers }),
      skipped: new Counter({ name: 'sipcap_db_rows_skipped_total', help: 'Rows not inserted because they were already stored (redelivery after a restart or rebalance)', registers }),
      batches: new Counter({ name: 'sipcap_db_batches_total', help: 'Insert transactions, by result', labelNames: ['result'], registers }),
      batchRows: new Histogram({ name: 'sipcap_db_batch_rows', help: 'Rows per insert transaction', buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000], registers }),
      batchSeconds: new Histogram({ name: 'sipcap_db_batch_seconds', help: 'Insert transaction duration', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
      retries: new Counter({ name: 'sipcap_db_retries_total', help: 'Insert attempts retried after a database error', registers }),
      deadLettered: new Counter({ name: 'sipcap_db_dead_lettered_total', help: 'Records sent to the dead-letter topic, by cause', labelNames: ['cause'], registers }),
    };
  }

  get bufferedRows(): number {
    return this.waitingRows;
  }

  /** Buffers one consumed Kafka batch of one partition; resolves when its rows are committed. */
  add(partition: number, messages: { offset: string; key: Buffer | null; value: Buffer | null }[]): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('writer is stopping'));
    const rows: PositionedRow[] = [];
    const letters: DeadLetter[] = [];
    const undecodable = (offset: bigint, index: number, key: Buffer | null, value: Buffer | null, message: string) => {
      letters.push({ partition, offset, index, key, value, error: `undecodable record: ${message}` });
      rows.push({ partition, offset, index, table: null, record: null });
    };
    for (const m of messages) {
      const offset = BigInt(m.offset);
      const split = m.value ? splitRecordValue(m.value) : ({ ok: false, message: 'empty Kafka value' } as const);
      if (!split.ok) {
        undecodable(offset, 0, m.key, m.value, split.message);
        continue;
      }
      for (let index = 0; index < split.records.length; index++) {
        const value = split.records[index];
        const d = decodeRecord(value);
        if (d.ok) rows.push({ partition, offset, index, table: this.opts.router.route(d.record), record: d.record, source: { key: m.key, value } });
        else undecodable(offset, index, m.key, value, d.message);
      }
      // An empty record batch still moves the partition's offset on.
      if (split.records.length === 0) rows.push({ partition, offset, index: 0, table: null, record: null });
    }
    const ready = letters.length ? this.deadLetter(letters, 'undecodable') : Promise.resolve();
    return ready.then(
      () =>
        new Promise<void>((resolve, reject) => {
          this.waiting.push({ rows, resolve, reject });
          this.waitingRows += rows.length;
          if (this.waitingRows >= this.opts.batchSize) this.kick();
          else this.timer ??= setTimeout(() => this.kick(), this.opts.flushMs);
        }),
    );
  }

  /** Writes what is buffered and stops taking more. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.waitingRows > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      // Rows that arrived during the flush wait for the next trigger (size, or their own timer).
      if (this.waitingRows >= this.opts.batchSize || this.stopped) this.kick();
      else if (this.waitingRows > 0) this.timer ??= setTimeout(() => this.kick(), this.opts.flushMs);
    });
  }

  private async flushLoop(): Promise<void> {
    const waiters = this.waiting;
    this.waiting = [];
    this.waitingRows = 0;
    const rows = waiters.length === 1 ? waiters[0].rows : waiters.flatMap((w) => w.rows);
    try {
      await this.writeUntilDone(rows);
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e as Error);
    }
  }

  /**
   * Retries through outages. A data error makes the next attempt isolate the refused rows (inside the
   * transaction) and dead-letter them before it commits. Only throws when stopping mid-outage.
   */
  private async writeUntilDone(rows: PositionedRow[]): Promise<void> {
    let backoff = 0;
    let isolate = false;
    for (;;) {
      try {
        await this.write(rows, isolate);
        return;
      } catch (e) {
        if (!this.opts.isRetryable(e) && !isolate) {
          isolate = true;
          continue;
        }
        if (this.stopped && backoff > 0) throw e;
        this.m.retries.inc();
        backoff = Math.min(Math.max(backoff * 2, 200), 10_000);
        this.opts.log.warn({ err: (e as Error).message, rows: rows.length, retryInMs: backoff }, 'database write failed; retrying (consumption waits)');
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  private async write(rows: PositionedRow[], isolate: boolean): Promise<void> {
    const t0 = process.hrtime.bigint();
    try {
      const r = await this.opts.store.writePositioned(this.opts.group, this.opts.topic, rows, isolate ? (rejected) => this.reject(rejected) : undefined);
      this.m.batches.inc({ result: 'ok' });
      this.m.batchRows.observe(rows.length);
      this.m.batchSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      if (r.skipped) this.m.skipped.inc(r.skipped);
      if (r.rejected) this.m.deadLettered.inc({ cause: 'rejected' }, r.rejected);
      for (const [table, n] of r.perTable) this.m.inserted.inc({ table }, n);
    } catch (e) {
      this.m.batches.inc({ result: 'error' });
      throw e;
    }
  }

  /** Sends the rows the database refused to the dead-letter topic; the transaction commits after this. */
  private async reject(rejected: RejectedRow<PositionedRow>[]): Promise<void> {
    const letters: DeadLetter[] = rejected.map(({ row: r, error }) => {
      this.opts.log.error({ partition: r.partition, offset: String(r.offset), index: r.index, table: r.table, err: error.message }, 'record rejected by the database; sent to the dead-letter topic');
      // A record from a record batch has no key of its own: it gets its Call-ID, as a single record has.
      const key = r.source?.key ?? (r.record ? Buffer.from(r.record.callid) : null);
      return { partition: r.partition, offset: r.offset, index: r.index, key, value: r.source?.value ?? null, error: error.message };
    });
    // Once: a failure rolls the transaction back and the whole write is retried with backoff.
    await this.opts.deadLetter(letters);
  }

  private async deadLetter(letters: DeadLetter[], cause: string): Promise<void> {
    // Retried like a write: a record is passed over only once the dead-letter topic has it.
    let backoff = 0;
    for (;;) {
      try {
        await this.opts.deadLetter(letters);
        this.m.deadLettered.inc({ cause }, letters.length);
        return;
      } catch (e) {
        backoff = Math.min(Math.max(backoff * 2, 200), 10_000);
        this.opts.log.warn({ err: (e as Error).message, retryInMs: backoff }, 'dead-letter publish failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }
}
