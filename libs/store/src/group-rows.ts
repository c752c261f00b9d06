import type { CaptureRecord } from '@sipcap/record';
import type { BatchRow } from './store';

/** Records of the given rows per table, in batch order (one COPY or INSERT run per table). */
export function groupByTable(rows: readonly BatchRow[]): Map<string, CaptureRecord[]> {
  const groups = new Map<string, CaptureRecord[]>();
  for (const row of rows) {
    let g = groups.get(row.table);
    if (!g) groups.set(row.table, (g = []));
    g.push(row.record);
  }
  return groups;
}
