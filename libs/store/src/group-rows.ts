import type { CaptureRecord } from '@sipcap/record';
import type { BatchRow } from './store';

/** Records of the given rows per table, in batch order (one COPY or INSERT run per table). */
export function groupByTable(rows: readonly BatchRow[], indexes?: readonly number[]): Map<string, CaptureRecord[]> {
  const groups = new Map<string, CaptureRecord[]>();
  const n = indexes ? indexes.length : rows.length;
  for (let k = 0; k < n; k++) {
    const row = rows[indexes ? indexes[k] : k];
    let g = groups.get(row.table);
    if (!g) groups.set(row.table, (g = []));
    g.push(row.record);
  }
  return groups;
}
