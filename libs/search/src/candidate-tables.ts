import { assertTableName, compileStrftime } from '@sipcap/schema';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Most names one search may consider: a minute-dated TABLE_NAME over a year would be 525,600. */
export const MAX_CANDIDATE_TABLES = 20_000;

/** The finest time field of a template decides how often its expansion can change. */
function stepOf(template: string): number {
  const fields: string[] = template.match(/%./g) ?? [];
  if (fields.includes('%M')) return MINUTE_MS;
  if (fields.includes('%H')) return HOUR_MS;
  return DAY_MS; // %d %j %u %V %G %m %Y %y change at most once a day
}

/**
 * Every table name the TABLE_NAME entries (`|`-separated, strftime fields in UTC) expand to for capture
 * times in [fromMs, toMs], without duplicates, in name order. Throws a RangeError when the range would
 * need more than `max` names (a minute-dated table over months).
 */
export function candidateTables(tableName: string | readonly string[], fromMs: number, toMs: number, max = MAX_CANDIDATE_TABLES): string[] {
  const templates = typeof tableName === 'string' ? tableName.split('|').map((s) => s.trim()) : tableName;
  const names = new Set<string>();
  for (const template of templates) {
    const compiled = compileStrftime(template);
    if (!compiled.dated) {
      names.add(assertTableName(template));
      continue;
    }
    const step = stepOf(template);
    const first = Math.floor(fromMs / step) * step;
    if ((toMs - first) / step > max) {
      throw new RangeError(`time range too long for TABLE_NAME ${template}: more than ${max} tables`);
    }
    for (let t = first; t <= toMs; t += step) names.add(compiled.expand(t));
    names.add(compiled.expand(toMs));
    if (names.size > max) throw new RangeError(`time range too long for TABLE_NAME: more than ${max} tables`);
  }
  return [...names].map(assertTableName).sort();
}
