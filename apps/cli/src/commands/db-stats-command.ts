import { TableRouter } from '@sipcap/store';
import type { CliIo } from '../cli-io';
import { CliFailure, errorText, UsageError } from '../cli-errors';
import { openDbClient, quoteTable, tableExists, type DbClient } from '../db/db-client';
import { dbFailureText } from '../db/db-failure';
import { loadSettings } from '../load-settings';
import { noExtraArgs, parseCommandArgs } from '../parse-command-args';
import { formatTable } from '../status/format-table';

const COMMAND = 'db stats';
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface TableStats {
  table: string;
  lastMinute: number;
  lastHour: number;
  /** Newest `date` in the table (UTC, as the database prints it), or null when empty. */
  latest: string | null;
  /**
   * All rows, estimated from the planner's statistics (cheap, unlike count(*) over days of capture);
   * the statistics lag until the table is analysed, so it is never shown below the rows counted in the last hour.
   */
  approxRows: number;
}

/** `sipcap db stats`: rows per capture table by capture time (the `date` column, UTC). */
export async function dbStatsCommand(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, args, { json: { type: 'boolean' } });
  noExtraArgs(COMMAND, positionals, 0);
  const cfg = loadSettings(io, COMMAND, ['DB_URL', 'TABLE_NAME', 'CALL_TABLE_NAME', 'REGISTRATION_TABLE_NAME', 'REST_TABLE_NAME']);
  let router: TableRouter;
  try {
    router = new TableRouter({
      tableName: cfg.TABLE_NAME,
      kindTables: { call: cfg.CALL_TABLE_NAME, registration: cfg.REGISTRATION_TABLE_NAME, rest: cfg.REST_TABLE_NAME },
    });
  } catch (e) {
    throw new UsageError(`invalid setting TABLE_NAME=${JSON.stringify(cfg.TABLE_NAME)}: ${errorText(e)}`, COMMAND);
  }
  const now = Date.now();
  // Dated names: the tables of now and of an hour ago (a day boundary may lie in between).
  const names = [...new Set([...router.tablesAt(now), ...router.tablesAt(now - HOUR_MS)])];

  let db: DbClient;
  try {
    db = await openDbClient(cfg.DB_URL);
  } catch (e) {
    throw new CliFailure(dbFailureText(cfg.DB_URL, e));
  }
  try {
    const stats: TableStats[] = [];
    const missing: string[] = [];
    for (const t of names) {
      if (await tableExists(db, t)) stats.push(await tableStats(db, t, now));
      else missing.push(t);
    }
    if (values.json) {
      io.out(JSON.stringify({ tables: stats, missing }) + '\n');
    } else {
      if (stats.length > 0) {
        const rows = stats.map((s) => [s.table, String(s.lastMinute), String(s.lastHour), s.latest ?? '-', `~${s.approxRows}`]);
        io.out(formatTable(['TABLE', 'LAST MINUTE', 'LAST HOUR', 'LATEST (UTC)', 'ROWS'], rows).join('\n') + '\n');
      }
      for (const t of missing) io.out(`table ${t}: does not exist (create it with: sipcap db init)\n`);
    }
    return 0;
  } catch (e) {
    throw new CliFailure(dbFailureText(cfg.DB_URL, e));
  } finally {
    await db.close();
  }
}

/** `date` is a UTC timestamp without time zone: compare it with UTC text. */
function utcText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

async function tableStats(db: DbClient, table: string, now: number): Promise<TableStats> {
  const q = quoteTable(db.dialect, table);
  const minute = utcText(now - MINUTE_MS);
  const hour = utcText(now - HOUR_MS);
  if (db.dialect === 'postgres') {
    const [counts] = await db.query(`SELECT count(*) FILTER (WHERE date >= $1) AS m, count(*) AS h FROM ${q} WHERE date >= $2`, [
      minute,
      hour,
    ]);
    const [latest] = await db.query(`SELECT max(date)::text AS latest FROM ${q}`);
    // A partitioned table has no rows itself: add up its partitions' estimates.
    const [approx] = await db.query(
      `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint AS n FROM pg_class c
       WHERE c.oid = to_regclass($1) OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass($1))`,
      [q],
    );
    return {
      table,
      lastMinute: Number(counts.m),
      lastHour: Number(counts.h),
      latest: (latest.latest as string | null) ?? null,
      approxRows: Math.max(Number(approx.n), Number(counts.h)),
    };
  }
  const [counts] = await db.query(`SELECT coalesce(sum(date >= ?), 0) AS m, count(*) AS h FROM ${q} WHERE date >= ?`, [minute, hour]);
  const [latest] = await db.query(`SELECT max(date) AS latest FROM ${q}`);
  const [approx] = await db.query(
    'SELECT coalesce(TABLE_ROWS, 0) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return {
    table,
    lastMinute: Number(counts.m),
    lastHour: Number(counts.h),
    latest: (latest.latest as string | null) ?? null,
    approxRows: Math.max(Number(approx?.n ?? 0), Number(counts.h)),
  };
}
