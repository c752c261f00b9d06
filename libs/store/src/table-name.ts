import type { CaptureRecord } from '@sipcap/record';
import { fnv1a32 } from './fnv1a';
import { MESSAGE_KINDS, messageKind, type MessageKind } from './message-kind';
import type { DayWindow } from './partition-window';
import type { RetentionPlan } from './retention-plan';
import { assertTableName } from '@sipcap/schema';
import { compileStrftime, type CompiledStrftime } from '@sipcap/schema';

/** How a record picks one of several TABLE_NAME entries (Kamailio's mt_mode). */
export type MtMode = 'rand' | 'round_robin' | 'hash';
/** What `hash` mode hashes (Kamailio's hash_source). */
export type HashSource = 'call_id' | 'from_user' | 'to_user';

export interface TableRouterOptions {
  /** TABLE_NAME: one or more `|`-separated names, strftime fields allowed. */
  tableName: string;
  mode?: MtMode;
  hashSource?: HashSource;
  /** Random source for `rand` mode (tests pass a seeded one). */
  random?: () => number;
  /** Dated names only for days in this window (DB_TIME_WINDOW_DAYS, DB_PARTITION_AHEAD_DAYS). */
  window?: DayWindow;
  /** Narrows the window's past to each template's retention (no table for an expired day). */
  retention?: RetentionPlan;
  /**
   * HOMER 5 routing (CALL_TABLE_NAME, REGISTRATION_TABLE_NAME, REST_TABLE_NAME): a message of a kind with
   * a table here goes to it (one name, strftime fields); the others follow TABLE_NAME.
   */
  kindTables?: Partial<Record<MessageKind, string>>;
}

type RoutedFields = Pick<CaptureRecord, 'micro_ts' | 'callid' | 'from_user' | 'to_user' | 'cseq'>;

const MINUTE_MS = 60_000;

/** One TABLE_NAME entry, with the expansion of the last minute it saw (all fields are minute-grained). */
export class TableTemplate {
  private minute = NaN;
  private name = '';
  constructor(
    readonly compiled: CompiledStrftime,
    private readonly window?: DayWindow,
    private readonly retentionDays = 0,
  ) {}

  at(recordMs: number): string {
    if (!this.compiled.dated) return this.compiled.template;
    const utcMs = this.window ? this.window.tableTime(recordMs, this.retentionDays) : recordMs;
    const minute = Math.floor(utcMs / MINUTE_MS);
    if (minute !== this.minute) {
      this.name = assertTableName(this.compiled.expand(utcMs));
      this.minute = minute;
    }
    return this.name;
  }
}

/**
 * Picks the table of each record from TABLE_NAME, MT_MODE and HASH_SOURCE and expands its time fields
 * with the record's capture time (UTC). Every name is validated when the router is built.
 */
export class TableRouter {
  /** Every template a row may go to: TABLE_NAME's entries and the kind tables. */
  readonly templates: readonly string[];
  readonly mode: MtMode;
  readonly hashSource: HashSource;
  private readonly entries: TableTemplate[];
  private readonly byKind?: Partial<Record<MessageKind, TableTemplate>>;
  /** The TABLE_NAME entries that receive rows. */
  private readonly written: TableTemplate[];
  private readonly random: () => number;
  private next = 0;

  constructor(opts: TableRouterOptions) {
    const names = opts.tableName.split('|').map((s) => s.trim());
    if (names.some((n) => n === '')) throw new Error(`TABLE_NAME: empty table name in "${opts.tableName}"`);
    const template = (n: string) => {
      const t = new TableTemplate(compileStrftime(n), opts.window, opts.retention?.daysForTemplate(n));
      // Every field expands to digits of a fixed width, so one sample time validates every expansion.
      assertTableName(t.compiled.expand(Date.UTC(2000, 0, 1)));
      return t;
    };
    this.entries = names.map(template);
    const kinds = Object.entries(opts.kindTables ?? {}).filter((e): e is [MessageKind, string] => !!e[1]?.trim());
    if (kinds.length > 0) this.byKind = Object.fromEntries(kinds.map(([k, n]) => [k, template(n.trim())]));
    // With a table for every kind, TABLE_NAME's tables get no row: they are not created nor searched.
    this.written = kinds.length === MESSAGE_KINDS.length ? [] : this.entries;
    this.templates = [...new Set([...this.written.map((e) => e.compiled.template), ...kinds.map(([, n]) => n.trim())])];
    this.mode = opts.mode ?? 'rand';
    this.hashSource = opts.hashSource ?? 'call_id';
    this.random = opts.random ?? Math.random;
  }

  /** The table a record goes to. */
  route(record: RoutedFields): string {
    const ms = microsToMillis(record.micro_ts);
    if (this.byKind) {
      const t = this.byKind[messageKind(record.cseq)];
      if (t) return t.at(ms);
    }
    const n = this.entries.length;
    if (n === 1) return this.entries[0].at(ms);
    return this.entries[this.pick(record, n)].at(ms);
  }

  /** Every table name at one time (to create today's tables up front). */
  tablesAt(utcMs: number): string[] {
    const all = [...this.written, ...Object.values(this.byKind ?? {})];
    return [...new Set(all.map((e) => e.compiled.expand(utcMs)).map(assertTableName))];
  }

  private pick(record: RoutedFields, n: number): number {
    switch (this.mode) {
      case 'rand':
        return Math.min(n - 1, Math.floor(this.random() * n));
      case 'round_robin': {
        const i = this.next;
        this.next = i + 1 === n ? 0 : i + 1;
        return i;
      }
      case 'hash':
        return fnv1a32(this.hashValue(record)) % n;
    }
  }

  private hashValue(record: RoutedFields): string {
    switch (this.hashSource) {
      case 'call_id':
        return record.callid;
      case 'from_user':
        return record.from_user;
      case 'to_user':
        return record.to_user;
    }
  }
}

/** micro_ts to epoch milliseconds; exact while micro_ts < 2^53 (year 2255), floor division beyond. */
export function microsToMillis(microTs: bigint): number {
  return Math.floor(Number(microTs) / 1000);
}
