import { datedTablePeriod, namePattern } from './dated-table-period';
import { compileStrftime, type CompiledStrftime } from '@sipcap/schema';

/** Days a table template keeps (DB_RETENTION_TABLES entry); 0 keeps everything. */
export interface RetentionRule {
  template: string;
  days: number;
}

interface Entry {
  compiled: CompiledStrftime;
  pattern: RegExp;
  days: number;
}

const DAY_MS = 86_400_000;

/**
 * How long each table keeps its data: DB_RETENTION_DAYS for every table, DB_RETENTION_TABLES per table
 * template (`sip_capture_registration_%Y%m%d=2`). Knows the templates the writer writes (TABLE_NAME, the
 * report tables), so it can tell which existing tables are dated tables of theirs and when each expires.
 */
export class RetentionPlan {
  private readonly entries: Entry[];

  constructor(readonly opts: { defaultDays: number; templates?: readonly string[]; overrides?: readonly RetentionRule[] }) {
    const days = new Map<string, number>();
    for (const t of opts.templates ?? []) days.set(t, opts.defaultDays);
    for (const r of opts.overrides ?? []) days.set(r.template, r.days);
    this.entries = [...days].map(([t, d]) => {
      const compiled = compileStrftime(t);
      return { compiled, pattern: namePattern(compiled), days: d };
    });
  }

  /** Whether any table expires. */
  get active(): boolean {
    return this.opts.defaultDays > 0 || this.entries.some((e) => e.days > 0);
  }

  /** Days kept by a template as configured (TABLE_NAME entry or report table name). */
  daysForTemplate(template: string): number {
    return this.entries.find((e) => e.compiled.template === template)?.days ?? this.opts.defaultDays;
  }

  /** Days kept by a table: its template's (a dated name is matched to its template), else the default. */
  daysForTable(table: string): number {
    for (const e of this.entries) {
      if (e.compiled.dated ? datedTablePeriod(e.compiled, table, e.pattern) : e.compiled.template === table) return e.days;
    }
    return this.opts.defaultDays;
  }

  /** Templates with time fields whose tables expire. */
  get datedTemplates(): string[] {
    return this.entries.filter((e) => e.compiled.dated && e.days > 0).map((e) => e.compiled.template);
  }

  /**
   * Of these existing tables, the dated tables of a template whose whole period lies before now minus the
   * template's retention: never the current or a future period, never a table of another name.
   */
  expiredTables(tables: readonly string[], nowMs: number): string[] {
    const out: string[] = [];
    for (const name of tables) {
      for (const e of this.entries) {
        if (!e.compiled.dated || e.days <= 0) continue;
        const p = datedTablePeriod(e.compiled, name, e.pattern);
        if (!p) continue;
        if (p.endMs <= nowMs - e.days * DAY_MS) out.push(name);
        break;
      }
    }
    return out;
  }
}

/**
 * Reads DB_RETENTION_TABLES: `template=days` entries separated by commas. Throws an Error naming the
 * setting for a malformed entry, or a template the writer does not write (`templates`).
 */
export function parseRetentionTables(text: string, templates: readonly string[]): RetentionRule[] {
  const rules: RetentionRule[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([^=\s]+)\s*=\s*(\d{1,5})$/.exec(entry);
    if (!m) throw new Error(`DB_RETENTION_TABLES: expected template=days, got "${entry}"`);
    if (!templates.includes(m[1]))
      throw new Error(`DB_RETENTION_TABLES: "${m[1]}" is not one of the tables written (${templates.join(', ')})`);
    rules.push({ template: m[1], days: Number(m[2]) });
  }
  return rules;
}

/**
 * What cannot expire as configured: a table that keeps N days must be dated (its name has time fields) or
 * partitioned by day, or nothing of it could ever be dropped. An error when a DB_RETENTION_TABLES rule
 * names such a table, or when DB_RETENTION_DAYS finds no table at all it could expire; a warning when
 * only some tables under DB_RETENTION_DAYS keep everything.
 */
export function retentionProblem(
  plan: RetentionPlan,
  templates: readonly string[],
  partitioned: boolean,
): { error?: string; warning?: string } {
  if (partitioned) return {};
  const expiring = templates.filter((t) => plan.daysForTemplate(t) > 0);
  const stuck = expiring.filter((t) => !compileStrftime(t).dated);
  if (stuck.length === 0) return {};
  const text = (list: string[]) =>
    `${list.join(', ')} ${list.length === 1 ? 'is' : 'are'} neither dated (e.g. sip_capture_%Y%m%d) nor partitioned by day (DB_PARTITION=day): nothing of ${list.length === 1 ? 'it' : 'them'} can expire`;
  const named = stuck.filter((t) => plan.opts.overrides?.some((r) => r.template === t));
  if (named.length > 0) return { error: text(named) };
  if (stuck.length === expiring.length) return { error: text(stuck) };
  return { warning: text(stuck) };
}
