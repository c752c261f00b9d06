import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { decodeReportRecord, readRecord, REPORT_RECORD_VERSION, splitRecordValue } from '@sipcap/record';
import { Counter } from 'prom-client';
import { DedupWindow } from './dedup-window';
import { FlushLane } from './flush-lane';
import type { DeadLetter, PositionedRow, PositionedStore } from './positioned-row';
import { ReportTableRouter } from './report-table-name';
import type { TableRouter } from './table-name';
import { writerMetrics, type WriterMetrics, type WriterTotals } from './writer-metrics';

export interface DelayedWriterOptions {
  store: PositionedStore;
  router: TableRouter;
  /** Tables of report records (RTCP_TABLE_NAME, REPORT_TABLE_NAME, LOGS_TABLE_NAME); Kamailio's names by default. */
  reportRouter?: ReportTableRouter;
  group: string;
  topic: string;
  /** DB_BATCH_SIZE: flush when this many rows are buffered (per lane). */
  batchSize: number;
  /** DB_FLUSH_MS: or when the oldest buffered row has waited this long. */
  flushMs: number;
  /** DB_CONNECTIONS: insert transactions at once, each for its own share of the partitions (default 1). */
  lanes?: number;
  /** Called (and awaited) before a record that can never be inserted is passed over. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Decides whether a write error may succeed later (outage) or is caused by the data itself. */
  isRetryable(e: unknown): boolean;
  log: Logger;
  registry?: Registry;
  /** DEDUP_WINDOW_MS, DEDUP_MAX_KEYS: copies of a message within the window are stored once (off when absent). */
  dedup?: { windowMs: number; maxKeys: number };
}

/**
 * The "delayed insert": rows from many Kafka batches are buffered and written as one insert when
 * DB_BATCH_SIZE rows are waiting or DB_FLUSH_MS has passed (see FlushLane). `add` resolves only after
 * its rows are committed, so the consumer commits offsets after the insert. Records that can not be
 * decoded are dead-lettered first; the partition's offset still moves past them.
 */
export class DelayedWriter {
  private readonly lanes: FlushLane[];
  /** Partition → lane, fixed once seen: a partition's batches must commit in order. */
  private readonly laneOf = new Map<number, FlushLane>();
  /** Per partition: the batch still on its way into its lane (waiting for the dead-letter topic). */
  private readonly entering = new Map<number, Promise<void>>();
  private stopped = false;
  private readonly m: WriterMetrics;
  private readonly reportRouter: ReportTableRouter;
  /** Per partition: its dedup window and the offset it is at (the next message it expects). */
  private readonly windows = new Map<number, { window: DedupWindow; next: bigint }>();
  private readonly dedupDropped?: Counter;

  constructor(private readonly opts: DelayedWriterOptions) {
    this.m = writerMetrics(opts.registry);
    this.reportRouter = opts.reportRouter ?? new ReportTableRouter({});
    this.lanes = Array.from({ length: Math.max(1, opts.lanes ?? 1) }, () => new FlushLane({ ...opts, metrics: this.m }));
    if (opts.dedup) {
      this.dedupDropped = new Counter({
        name: 'sipcap_dedup_dropped_total',
        help: 'SIP messages not stored because the same bytes were stored within DEDUP_WINDOW_MS (a copy from another capture point)',
        registers: opts.registry ? [opts.registry] : [],
      });
    }
  }

  /** Rows inserted, errors, dead letters, last insert, records per message: for the writer's fleet report. */
  get totals(): Readonly<WriterTotals> {
    return this.m.totals;
  }

  get bufferedRows(): number {
    return this.lanes.reduce((n, l) => n + l.bufferedRows, 0);
  }

  /** Buffers one consumed Kafka batch of one partition; resolves when its rows are committed. */
  add(partition: number, messages: { offset: string; key: Buffer | null; value: Buffer | null }[]): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('writer is stopping'));
    const lane = this.lane(partition);
    const before = this.entering.get(partition);
    if (!this.opts.dedup && !before) {
      const { rows, letters } = this.decode(partition, messages);
      if (letters.length === 0) return lane.add(rows);
    }
    // Dead letters first, and a partition's batches enter its lane in offset order even while an earlier
    // one waits for the dead-letter topic (a later batch committed first would make the store skip it), or
    // for its dedup window to be read back from the database.
    let committed!: Promise<void>;
    const entered = (before ?? Promise.resolve()).then(async () => {
      const window = this.opts.dedup && messages.length > 0 ? await this.windowFor(partition, BigInt(messages[0].offset)) : undefined;
      const { rows, letters } = this.decode(partition, messages, window);
      if (letters.length > 0) await this.deadLetter(letters);
      committed = lane.add(rows);
    });
    this.entering.set(partition, entered);
    void entered.then(() => {
      if (this.entering.get(partition) === entered) this.entering.delete(partition);
    });
    return entered.then(() => committed);
  }

  /** The rows of a batch; with a dedup window, copies become offset-only rows and the window rides on the last row. */
  private decode(
    partition: number,
    messages: { offset: string; key: Buffer | null; value: Buffer | null }[],
    window?: { window: DedupWindow; next: bigint },
  ): { rows: PositionedRow[]; letters: DeadLetter[] } {
    const rows: PositionedRow[] = [];
    const letters: DeadLetter[] = [];
    const undecodable = (offset: bigint, index: number, key: Buffer | null, value: Buffer | null, message: string) => {
      letters.push({ partition, offset, index, key, value, error: `undecodable record: ${message}` });
      rows.push({ partition, offset, index, table: null, record: null });
    };
    let copies = 0;
    for (const m of messages) {
      const offset = BigInt(m.offset);
      const split = m.value ? splitRecordValue(m.value) : ({ ok: false, message: 'empty Kafka value' } as const);
      if (!split.ok) {
        undecodable(offset, 0, m.key, m.value, split.message);
        continue;
      }
      for (let index = 0; index < split.records.length; index++) {
        const value = split.records[index];
        if (value[0] === REPORT_RECORD_VERSION) {
          // A report record (RTCP, QoS report, log line): its own table, the same transaction and offsets.
          const r = decodeReportRecord(value);
          if (r.ok)
            rows.push({
              partition,
              offset,
              index,
              table: this.reportRouter.route(r.record),
              record: r.record,
              source: { key: m.key, value },
            });
          else undecodable(offset, index, m.key, value, r.message);
          continue;
        }
        const d = readRecord(value);
        if (!d.ok) undecodable(offset, index, m.key, value, d.message);
        else if (window && offset >= window.next && window.window.isCopy(d.record.msg, Number(d.record.micro_ts))) {
          rows.push({ partition, offset, index, table: null, record: null });
          copies++;
        } else
          rows.push({ partition, offset, index, table: this.opts.router.route(d.record), record: d.record, source: { key: m.key, value } });
      }
      // An empty record batch still moves the partition's offset on.
      if (split.records.length === 0) rows.push({ partition, offset, index: 0, table: null, record: null });
    }
    if (window && rows.length > 0) {
      const last = rows[rows.length - 1];
      if (last.offset + 1n > window.next) window.next = last.offset + 1n;
      last.dedupState = window.window.snapshot();
    }
    if (copies > 0) this.dedupDropped?.inc(copies);
    this.m.totals.messages += messages.length;
    this.m.totals.records += rows.length;
    return { rows, letters };
  }

  /**
   * The partition's dedup window for a batch from `first`: the one in memory while the batches follow on
   * (or a batch is fetched again), else the one committed with the partition's offset (after a restart,
   * or when another writer had the partition meanwhile). A batch fetched again is not counted twice:
   * only records from the window's offset on are looked at.
   */
  private async windowFor(partition: number, first: bigint): Promise<{ window: DedupWindow; next: bigint }> {
    const known = this.windows.get(partition);
    if (known && first <= known.next) return known;
    const { windowMs, maxKeys } = this.opts.dedup!;
    let backoff = 0;
    for (;;) {
      try {
        const states = (await this.opts.store.readDedupStates?.(this.opts.group, this.opts.topic)) ?? new Map<number, Buffer>();
        const w = { window: DedupWindow.restore(windowMs * 1000, maxKeys, states.get(partition)), next: first };
        this.windows.set(partition, w);
        return w;
      } catch (e) {
        if (this.stopped) throw e;
        backoff = Math.min(Math.max(backoff * 2, 200), 10_000);
        this.opts.log.warn({ err: (e as Error).message, partition, retryInMs: backoff }, 'reading the dedup window failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  /** Writes what is buffered and stops taking more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.lanes.map((l) => l.stop()));
  }

  /** The lane with the fewest partitions takes a partition seen for the first time. */
  private lane(partition: number): FlushLane {
    let lane = this.laneOf.get(partition);
    if (!lane) {
      lane = this.lanes.reduce((a, b) => (b.partitions < a.partitions ? b : a));
      lane.partitions++;
      this.laneOf.set(partition, lane);
    }
    return lane;
  }

  private async deadLetter(letters: DeadLetter[]): Promise<void> {
    // Retried like a write: a record is passed over only once the dead-letter topic has it.
    let backoff = 0;
    for (;;) {
      try {
        await this.opts.deadLetter(letters);
        this.m.deadLettered.inc({ cause: 'undecodable' }, letters.length);
        this.m.totals.deadLetters += letters.length;
        return;
      } catch (e) {
        backoff = Math.min(Math.max(backoff * 2, 200), 10_000);
        this.opts.log.warn({ err: (e as Error).message, retryInMs: backoff }, 'dead-letter publish failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }
}
