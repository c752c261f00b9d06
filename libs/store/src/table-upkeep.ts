import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { ensureReportSchema, ensureSchema } from './ensure-schema';
import type { ReportTableRouter } from './report-table-name';
import type { RetentionPlan } from './retention-plan';
import type { Store } from './store';
import type { TableRouter } from './table-name';

export interface TableUpkeepOptions {
  store: Store;
  router: TableRouter;
  reportRouter: ReportTableRouter;
  retention: RetentionPlan;
  /** DB_PARTITION=day: the days ahead are created on every run. */
  dayPartitions: boolean;
  log: Logger;
  registry?: Registry;
  /** Between runs (default hourly). */
  intervalMs?: number;
}

/**
 * The writer's hourly upkeep of its tables: the day partitions ahead, then the retention (what is past
 * DB_RETENTION_DAYS/DB_RETENTION_TABLES dropped). The store takes a lock in the database, so with many
 * writers one does it and the others count `locked`. A failure is logged and counted, never thrown.
 */
export class TableUpkeep {
  private readonly runs: Counter<'result'>;
  private readonly dropped: Counter;
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: TableUpkeepOptions) {
    const registers = opts.registry ? [opts.registry] : [];
    this.runs = new Counter({
      name: 'sipcap_retention_runs_total',
      help: 'Retention runs, by result (done, locked: another writer held the lock, failed)',
      labelNames: ['result'],
      registers,
    });
    this.dropped = new Counter({
      name: 'sipcap_retention_dropped_total',
      help: 'Day partitions and dated tables dropped by the retention',
      registers,
    });
    for (const result of ['done', 'locked', 'failed']) this.runs.inc({ result }, 0);
  }

  /** One run now, then one per interval. */
  start(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), this.opts.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Drops what is expired now (the disk guard calls it when space runs out); throws what the store throws. */
  async dropExpired(): Promise<string[]> {
    const r = await this.opts.store.applyRetention();
    this.count(r.locked, r.dropped.length);
    return r.dropped;
  }

  async run(): Promise<void> {
    const { store, router, reportRouter, retention, log } = this.opts;
    if (this.opts.dayPartitions) {
      await ensureSchema(store, router).catch((e: Error) => log.warn({ err: e.message }, 'partition upkeep failed'));
      await ensureReportSchema(store, reportRouter).catch((e: Error) =>
        log.warn({ err: e.message }, 'partition upkeep failed (report tables)'),
      );
    }
    if (!retention.active) return;
    try {
      const r = await store.applyRetention();
      this.count(r.locked, r.dropped.length);
      if (r.dropped.length > 0)
        log.info({ dropped: r.dropped, defaultRowsDeleted: r.defaultRowsDeleted }, 'retention: dropped expired partitions and tables');
    } catch (e) {
      this.runs.inc({ result: 'failed' });
      log.warn({ err: (e as Error).message }, 'retention failed');
    }
  }

  /** `locked`: this writer held the lock and ran (RetentionResult.locked). */
  private count(locked: boolean, dropped: number): void {
    this.runs.inc({ result: locked ? 'done' : 'locked' });
    this.dropped.inc(dropped);
  }
}
