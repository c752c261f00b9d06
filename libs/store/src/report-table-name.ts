import type { ReportKind, ReportRecord } from '@sipcap/record';
import { REPORT_TABLES } from './ddl';
import { assertTableName } from '@sipcap/schema';
import type { DayWindow } from './partition-window';
import type { RetentionPlan } from './retention-plan';
import { compileStrftime } from '@sipcap/schema';
import { microsToMillis, TableTemplate } from './table-name';

export interface ReportTableNames {
  /** RTCP_TABLE_NAME (default rtcp_capture). */
  rtcp?: string;
  /** REPORT_TABLE_NAME (default report_capture). */
  report?: string;
  /** LOGS_TABLE_NAME (default logs_capture). */
  logs?: string;
}

/**
 * The table of each report record: one name per kind, with strftime fields expanded with the record's
 * capture time in UTC as TABLE_NAME's (`rtcp_capture_%Y%m%d`). One name each: Kamailio's report tables
 * have no mt_mode.
 */
export class ReportTableRouter {
  readonly names: Readonly<Record<ReportKind, string>>;
  private readonly templates: Record<ReportKind, TableTemplate>;

  /** `window`: dated names only for days in it, as TableRouter's. */
  constructor(names: ReportTableNames, window?: DayWindow, retention?: RetentionPlan) {
    this.names = {
      rtcp: names.rtcp ?? REPORT_TABLES.rtcp,
      report: names.report ?? REPORT_TABLES.report,
      logs: names.logs ?? REPORT_TABLES.logs,
    };
    const t = (name: string) => {
      const compiled = compileStrftime(name);
      assertTableName(compiled.expand(Date.UTC(2000, 0, 1)));
      return new TableTemplate(compiled, window, retention?.daysForTemplate(name));
    };
    this.templates = { rtcp: t(this.names.rtcp), report: t(this.names.report), logs: t(this.names.logs) };
  }

  route(r: Pick<ReportRecord, 'kind' | 'micro_ts'>): string {
    return this.templates[r.kind].at(microsToMillis(r.micro_ts));
  }

  /** Every report table name at one time (to create today's tables up front). */
  tablesAt(utcMs: number): string[] {
    return [...new Set(Object.values(this.templates).map((t) => assertTableName(t.compiled.expand(utcMs))))];
  }
}
