import type { Store } from './store';
import { TableRouter } from './table-name';

/**
 * Creates the offsets table and the capture tables of TABLE_NAME (dated names as of `now`), so the
 * schema exists before the first message; later dated tables are created by writeBatch on first use.
 */
export async function ensureSchema(store: Store, tableName: string, now: Date = new Date()): Promise<string[]> {
  const tables = new TableRouter({ tableName }).tablesAt(now.getTime());
  await store.ensureOffsetsTable();
  for (const t of tables) await store.ensureTable(t);
  return tables;
}
