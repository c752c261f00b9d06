import type { RetentionPlan } from './retention-plan';
import type { CaptureRecord, ReportRecord } from '@sipcap/record';
import type { StoreError } from './store-error';

/** The column set of a table: sip_capture's, or the report tables' (Kamailio's 13 columns). */
export type TableKind = 'sip' | 'report';

/** What a row holds: a SIP capture record (sip_capture) or a report record (rtcp_capture, report_capture, logs_capture). */
export type StoredRecord = CaptureRecord | ReportRecord;

/** One row to insert: the record and the table the TableRouter (or ReportTableRouter) chose for it. */
export interface BatchRow {
  table: string;
  record: StoredRecord;
}

/**
 * The Kafka position a batch brings a partition to. Stored in `sipcap_offsets` in the same transaction
 * as the rows, so after a crash the writer resumes exactly after the last committed row.
 */
export interface BatchOffset {
  group: string;
  topic: string;
  partition: number;
  /** Offset of the next message to read (last written offset + 1), as kafkajs gives offsets: a decimal string. */
  nextOffset: string;
  /** The partition's dedup window as of nextOffset (DEDUP_WINDOW_MS), stored with it; absent: left as stored. */
  dedupState?: Buffer;
}

/**
 * A row with the Kafka position it came from, for writePositioned. `table`/`record` null: nothing to
 * insert (e.g. the message was dead-lettered), only the partition's offset moves past it.
 */
export interface OffsetRow {
  partition: number;
  offset: bigint;
  /** Place of the record in its Kafka message (a record batch holds many; 0 when it holds one). */
  index?: number;
  table: string | null;
  record: StoredRecord | null;
  /** The partition's dedup window after this row (the last of a consumed batch), committed with the offset. */
  dedupState?: Buffer;
}

/** A row the database refused for its data (writePositioned with onRejected). */
export interface RejectedRow<R> {
  row: R;
  error: StoreError;
}

export interface PositionedResult {
  /** Rows inserted. */
  inserted: number;
  /** Rows refused for their data and handed to onRejected (only with onRejected). */
  rejected: number;
  /** Rows passed over because their offset was already stored (redelivery after a crash or rebalance). */
  skipped: number;
  perTable: Map<string, number>;
}

export interface RetentionResult {
  /** False when another writer holds the retention lock (nothing was done). */
  locked: boolean;
  /** Day partitions and dated tables dropped. */
  dropped: string[];
  /** Expired rows deleted from default partitions. */
  defaultRowsDeleted: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface StoreOptions {
  /** Where the store reports what operators should know (fallbacks, created tables). */
  log?: (level: LogLevel, msg: string) => void;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** DB_INSERT_MODE: 'delayed' (1) uses INSERT DELAYED where MariaDB supports it for the table's engine. */
  insertMode?: 'plain' | 'delayed';
  /**
   * PostgreSQL: how rows travel (see README): 'copy' (default) uses COPY's binary format where the table's
   * column types fit it and the text format otherwise; 'copy-text' always the text format; 'insert' multi-row INSERT.
   */
  pgMethod?: 'copy' | 'copy-text' | 'insert';
  /** DB_PARTITION (PostgreSQL only): 'day' creates tables partitioned by day on `date`. */
  partition?: 'none' | 'day';
  /** DB_PARTITION_AHEAD_DAYS: day partitions prepared ahead of today (default 3). */
  partitionAheadDays?: number;
  /** DB_TIME_WINDOW_DAYS: past days that still get a day partition on demand (default 7); older rows use the default partition. */
  partitionPastDays?: number;
  /** DB_RETENTION_DAYS for every table (shorthand for `retention` with no other rule); 0 keeps everything. */
  retentionDays?: number;
  /** Days kept per table (DB_RETENTION_DAYS, DB_RETENTION_TABLES), applied by applyRetention. */
  retention?: RetentionPlan;
  /** MySQL/MariaDB storage engine of tables the store creates (default InnoDB). */
  mysqlEngine?: string;
  /**
   * Test seam: runs inside the transaction after every row and offset was sent, just before COMMIT, with
   * the server's id of the connection (PostgreSQL backend pid, MySQL thread id).
   */
  beforeCommit?: (info: { connectionId: number }) => Promise<void> | void;
}

/** Where capture rows are written: one implementation per database dialect. */
export interface Store {
  readonly dialect: 'postgres' | 'mysql';
  /**
   * The only way rows are written: in one transaction, locks the stored offsets of the rows'
   * partitions, skips rows below them (already stored), inserts the rest and moves each partition's
   * offset past its last row. A redelivered or concurrently written message is never stored twice.
   * Throws StoreError (`retryable`, `data`, `fatal`); without `onRejected` a refused row refuses the batch.
   *
   * With `onRejected`, rows the database refuses for their data are found inside the transaction
   * (savepoints, halving) and handed to `onRejected` before COMMIT; the other rows and the offsets are
   * committed only once it resolved (if it throws, nothing is committed).
   */
  writePositioned<R extends OffsetRow>(
    group: string,
    topic: string,
    rows: readonly R[],
    onRejected?: (rejected: RejectedRow<R>[]) => Promise<void>,
  ): Promise<PositionedResult>;
  /** Sets the stored offsets of these partitions back to 0 (their topic was created again: see forgetStaleOffsets). */
  resetOffsets(group: string, topic: string, partitions: readonly number[]): Promise<void>;
  /** The stored next offset per Kafka partition of a consumer group and topic. */
  readOffsets(group: string, topic: string): Promise<Map<number, string>>;
  /** The dedup window stored with each partition's offset (DEDUP_WINDOW_MS), where one was stored. */
  readDedupStates(group: string, topic: string): Promise<Map<number, Buffer>>;
  /** Creates a capture table (and its partitions) when missing; done once per table name. `kind`: a SIP table (default) or a report table. */
  ensureTable(table: string, kind?: TableKind): Promise<void>;
  /** Creates the sipcap_offsets table when missing. */
  ensureOffsetsTable(): Promise<void>;
  /**
   * Drops what is past its retention, one writer at a time (a lock in the database): day partitions, rows
   * of the default partitions, dated tables of the written templates. Never the current or a future day.
   */
  applyRetention(now?: Date): Promise<RetentionResult>;
  close(): Promise<void>;
}
