import type { CompiledStrftime, StrftimePart } from '@sipcap/schema';

/** The time a dated table covers: [startMs, endMs). */
export interface TablePeriod {
  startMs: number;
  endMs: number;
}

const DAY_MS = 86_400_000;
const WIDTH: Record<Exclude<StrftimePart, { kind: 'text' }>['field'], number> = {
  Y: 4,
  m: 2,
  d: 2,
  H: 2,
  M: 2,
  j: 3,
  y: 2,
  G: 4,
  V: 2,
  u: 1,
};

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A matcher of the names a template expands to: the fields' digits, in template order. */
export function namePattern(t: CompiledStrftime): RegExp {
  return new RegExp('^' + t.parts.map((p) => (p.kind === 'text' ? escapeRegex(p.text) : `(\\d{${WIDTH[p.field]}})`)).join('') + '$');
}

/**
 * The period a table name of a dated template covers (a day for `%Y%m%d`, a month for `%Y%m`, an ISO week
 * for `%G%V`, an hour with `%H`...), or undefined when the name is not one the template makes, or the
 * template names no whole period (only `%H`, say: such names recur and are never expired). The name must
 * expand back to itself, so nothing but the template's own tables ever matches.
 */
export function datedTablePeriod(t: CompiledStrftime, name: string, pattern = namePattern(t)): TablePeriod | undefined {
  if (!t.dated) return undefined;
  const m = pattern.exec(name);
  if (!m) return undefined;
  const v: Partial<Record<string, number>> = {};
  let i = 1;
  for (const p of t.parts) {
    if (p.kind !== 'field') continue;
    const n = Number(m[i++]);
    if (v[p.field] !== undefined && v[p.field] !== n) return undefined;
    v[p.field] = n;
  }
  const year = v.Y ?? (v.y !== undefined ? 2000 + v.y : undefined);
  let start: number;
  let end: (s: number) => number;
  if (year !== undefined && v.j !== undefined) {
    start = Date.UTC(year, 0, 1) + (v.j - 1) * DAY_MS;
    end = (s) => s + DAY_MS;
  } else if (year !== undefined && v.m !== undefined && v.d !== undefined) {
    start = Date.UTC(year, v.m - 1, v.d);
    end = (s) => s + DAY_MS;
  } else if (year !== undefined && v.m !== undefined) {
    start = Date.UTC(year, v.m - 1, 1);
    end = () => Date.UTC(year, v.m!, 1);
  } else if (v.G !== undefined && v.V !== undefined) {
    // Monday of ISO week 1 is the Monday on or before January 4th.
    const jan4 = Date.UTC(v.G, 0, 4);
    const week1 = jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * DAY_MS;
    start = week1 + (v.V - 1) * 7 * DAY_MS + ((v.u ?? 1) - 1) * DAY_MS;
    end = v.u !== undefined ? (s) => s + DAY_MS : (s) => s + 7 * DAY_MS;
  } else if (year !== undefined) {
    start = Date.UTC(year, 0, 1);
    end = () => Date.UTC(year + 1, 0, 1);
  } else {
    return undefined;
  }
  // Hours and minutes narrow a day down; on a longer period they would not name one period.
  if (v.H !== undefined || v.M !== undefined) {
    const daily = end(start) - start === DAY_MS;
    if (!daily) return undefined;
    if (v.H !== undefined) start += v.H * 3_600_000;
    if (v.M !== undefined) start += v.M * 60_000;
    const span = v.M !== undefined ? 60_000 : v.H !== undefined ? 3_600_000 : DAY_MS;
    end = (s) => s + span;
  }
  if (!Number.isFinite(start) || t.expand(start) !== name) return undefined;
  return { startMs: start, endMs: end(start) };
}
