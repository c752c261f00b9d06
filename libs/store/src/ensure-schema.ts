import type { Store } from './store';
import { ReportTableRouter } from './report-table-name';
import { TableRouter } from './table-name';

/**
 * Creates the offsets table and the capture tables of TABLE_NAME, or of a router (with its HOMER 5 kind
 * tables), dated names as of `now`, so the schema exists before the first message; later dated tables are
 * created by writePositioned on first use.
 */
export async function ensureSchema(store: Store, tableName: string | TableRouter, now: Date = new Date()): Promise<string[]> {
  const router = typeof tableName === 'string' ? new TableRouter({ tableName }) : tableName;
  const tables = router.tablesAt(now.getTime());
  await store.ensureOffsetsTable();
  for (const t of tables) await store.ensureTable(t);
  return tables;
}

/** Creates the report tables (rtcp_capture, report_capture, logs_capture or their templates) as of `now`. */
export async function ensureReportSchema(store: Store, router: ReportTableRouter, now: Date = new Date()): Promise<string[]> {
  const tables = router.tablesAt(now.getTime());
  for (const t of tables) await store.ensureTable(t, 'report');
  return tables;
}
