import { Counter, Histogram, type Registry } from 'prom-client';

/** Running totals of one writer as plain numbers, for its fleet report (`sipcap status`). */
export interface WriterTotals {
  /** Rows inserted (not those skipped as already stored). */
  rowsInserted: number;
  /** Insert transactions that failed (each is retried). */
  insertErrors: number;
  /** Records sent to the dead-letter topic (undecodable, or refused by the database). */
  deadLetters: number;
  /** Wall time (ms) of the last insert transaction committed; 0 before the first. */
  lastInsertMs: number;
  /** Kafka messages decoded and the records they held (records per message: the lag estimate). */
  messages: number;
  records: number;
}

/** The db-writer's storing metrics, shared by its flush lanes, and the same totals as plain numbers. */
export function writerMetrics(registry?: Registry) {
  const registers = registry ? [registry] : [];
  const totals: WriterTotals = { rowsInserted: 0, insertErrors: 0, deadLetters: 0, lastInsertMs: 0, messages: 0, records: 0 };
  return {
    totals,
    inserted: new Counter({ name: 'sipcap_db_rows_inserted_total', help: 'Rows inserted, by table', labelNames: ['table'], registers }),
    skipped: new Counter({
      name: 'sipcap_db_rows_skipped_total',
      help: 'Rows not inserted because they were already stored (redelivery after a restart or rebalance)',
      registers,
    }),
    batches: new Counter({ name: 'sipcap_db_batches_total', help: 'Insert transactions, by result', labelNames: ['result'], registers }),
    batchRows: new Histogram({
      name: 'sipcap_db_batch_rows',
      help: 'Rows per insert transaction',
      buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'sipcap_db_batch_seconds',
      help: 'Insert transaction duration',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    retries: new Counter({ name: 'sipcap_db_retries_total', help: 'Insert attempts retried after a database error', registers }),
    deadLettered: new Counter({
      name: 'sipcap_db_dead_lettered_total',
      help: 'Records sent to the dead-letter topic, by cause',
      labelNames: ['cause'],
      registers,
    }),
  };
}

export type WriterMetrics = ReturnType<typeof writerMetrics>;
