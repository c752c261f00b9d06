/**
 * strftime-style time fields in table names (`sip_capture_%Y%m%d`), expanded in UTC.
 * A template is compiled once into parts so expanding it per record does no parsing.
 */

import { STRFTIME_FIELDS } from '@sipcap/config';

type Field = (typeof STRFTIME_FIELDS)[number];

export interface CompiledStrftime {
  /** The template as written. */
  readonly template: string;
  /** True when the template has time fields (its expansion depends on the time). */
  readonly dated: boolean;
  /** Expand with a time in milliseconds since the epoch, in UTC. */
  expand(utcMs: number): string;
  /** The literal text and fields in order (to read a time back out of a name). */
  readonly parts: readonly StrftimePart[];
}

const DAY_MS = 86_400_000;

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));
const pad3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));
const pad4 = (n: number) => (n < 10 ? '000' + n : n < 100 ? '00' + n : n < 1000 ? '0' + n : String(n));

/** ISO 8601 weekday, 1 (Monday) to 7 (Sunday). */
function isoWeekday(d: Date): number {
  return d.getUTCDay() || 7;
}

/** Day of the year, 1-based. */
function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** ISO week-numbering year and week: the week belongs to the year holding its Thursday. */
function isoWeek(d: Date): { year: number; week: number } {
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + (4 - isoWeekday(d)) * DAY_MS);
  return { year: thursday.getUTCFullYear(), week: Math.floor((dayOfYear(thursday) - 1) / 7) + 1 };
}

function field(f: Field, d: Date): string {
  switch (f) {
    case 'Y':
      return pad4(d.getUTCFullYear());
    case 'm':
      return pad2(d.getUTCMonth() + 1);
    case 'd':
      return pad2(d.getUTCDate());
    case 'H':
      return pad2(d.getUTCHours());
    case 'M':
      return pad2(d.getUTCMinutes());
    case 'j':
      return pad3(dayOfYear(d));
    case 'y':
      return pad2(d.getUTCFullYear() % 100);
    case 'G':
      return pad4(isoWeek(d).year);
    case 'V':
      return pad2(isoWeek(d).week);
    case 'u':
      return String(isoWeekday(d));
    case '%':
      return '%';
  }
}

export type StrftimePart = { kind: 'text'; text: string } | { kind: 'field'; field: Exclude<Field, '%'> };
type Part = StrftimePart;

/** Compile a template; throws an Error naming TABLE_NAME for an unknown or dangling `%` field. */
export function compileStrftime(template: string): CompiledStrftime {
  const known = new Set<string>(STRFTIME_FIELDS);
  const parts: Part[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      text += c;
      continue;
    }
    const f = template[++i];
    if (f === undefined || !known.has(f)) {
      throw new Error(
        `TABLE_NAME: unsupported time field "%${f ?? ''}" in "${template}" (supported: ${STRFTIME_FIELDS.map((x) => '%' + x).join(' ')})`,
      );
    }
    if (f === '%') {
      text += '%';
      continue;
    }
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'field', field: f as Exclude<Field, '%'> });
  }
  if (text) parts.push({ kind: 'text', text });
  const dated = parts.some((p) => p.kind === 'field');
  if (!dated) {
    const constant = text;
    return { template, dated, parts, expand: () => constant };
  }
  return {
    template,
    dated,
    parts,
    expand(utcMs: number): string {
      const d = new Date(utcMs);
      let out = '';
      for (const p of parts) out += p.kind === 'text' ? p.text : field(p.field, d);
      return out;
    },
  };
}
