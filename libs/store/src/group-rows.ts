import type { BatchRow, StoredRecord } from './store';

/** Records of the given rows per table, in batch order (one COPY or INSERT run per table). */
export function groupByTable(rows: readonly BatchRow[]): Map<string, StoredRecord[]> {
  const groups = new Map<string, StoredRecord[]>();
  for (const row of rows) {
    let g = groups.get(row.table);
    if (!g) groups.set(row.table, (g = []));
    g.push(row.record);
  }
  return groups;
}
