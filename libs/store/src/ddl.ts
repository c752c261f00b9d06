import { COLUMN_WIDTH, REPORT_COLUMNS, REPORT_COLUMN_WIDTH, REPORT_MYSQL_MSG_WIDTH, type ReportColumn } from '@sipcap/record';
import { COLUMNS, columnKind, type Column } from './columns';
import { dayText } from './capture-date';
import { fnv1a32 } from './fnv1a';
import { assertTableName, INDEXED_COLUMNS, MYSQL_COLLATION, quoteMysql, quotePg, REPORT_INDEXED_COLUMNS } from '@sipcap/schema';

/**
 * The one source of the schema: the db-writer runs these statements for every table it creates, and
 * sql/*.sql are these same statements rendered for `sip_capture` (see sql-files.test.ts).
 * Columns and widths come from COLUMNS and COLUMN_WIDTH of @sipcap/record.
 */

/** The writer's own table: the next Kafka offset per consumer group, topic and partition. */
export const OFFSETS_TABLE = 'sipcap_offsets';

/** Kamailio's default for `date` (a row never lacks one: the writer always sends it). */
const DATE_DEFAULT = "'1900-01-01 00:00:01'";

function intDefault(c: Column): string {
  return c === 'expires' ? '-1' : '0';
}

function width(c: Column): number {
  return (COLUMN_WIDTH as Record<string, number>)[c];
}

/**
 * A name derived from a table name (index, partition) that stays within PostgreSQL's 63 characters:
 * a long table name is shortened and made unique again with its hash.
 */
export function derivedName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  if (name.length <= 63) return name;
  const hash = fnv1a32(table).toString(16).padStart(8, '0');
  return `${table.slice(0, 63 - suffix.length - 10)}_${hash}_${suffix}`;
}

/** Name of the day partition of `table` holding day `day` (days since the epoch). */
export function dayPartitionName(table: string, day: number): string {
  return derivedName(table, 'p' + dayText(day).replaceAll('-', ''));
}

export function defaultPartitionName(table: string): string {
  return derivedName(table, 'default');
}

export interface PgTableOptions {
  /** PARTITION BY RANGE (date), with a DEFAULT partition. */
  partitioned?: boolean;
}

/** CREATE TABLE / INDEX statements of a capture table in PostgreSQL (idempotent). */
export function pgCreateTable(table: string, opts: PgTableOptions = {}): string[] {
  assertTableName(table);
  const t = quotePg(table);
  const cols = [
    `${quotePg('id')} bigserial NOT NULL`,
    `${quotePg('date')} timestamp without time zone NOT NULL DEFAULT ${DATE_DEFAULT}`,
    ...COLUMNS.map((c) => {
      const q = quotePg(c);
      switch (columnKind(c)) {
        case 'micros':
          return `${q} bigint NOT NULL DEFAULT 0`;
        case 'int':
          return `${q} integer NOT NULL DEFAULT ${intDefault(c)}`;
        case 'text':
          return `${q} varchar(${width(c)}) NOT NULL DEFAULT ''`;
        case 'bytes':
          return `${q} text NOT NULL`;
      }
    }),
    `${quotePg('msg_raw')} bytea`,
    // A partitioned table's primary key must contain the partition column.
    opts.partitioned ? `PRIMARY KEY (${quotePg('id')}, ${quotePg('date')})` : `PRIMARY KEY (${quotePg('id')})`,
  ];
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${t} (\n  ${cols.join(',\n  ')}\n)${opts.partitioned ? ` PARTITION BY RANGE (${quotePg('date')})` : ''}`,
    `COMMENT ON COLUMN ${t}.${quotePg('msg_raw')} IS 'exact bytes of msg when text cannot hold them (invalid UTF-8 or NUL), else NULL'`,
  ];
  if (opts.partitioned) statements.push(pgCreateDefaultPartition(table));
  for (const c of INDEXED_COLUMNS) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${quotePg(derivedName(table, `${c}_idx`))} ON ${t} (${quotePg(c)})`);
  }
  return statements;
}

/** Adds msg_raw to a table created by Kamailio (nullable without default: a catalog-only change). */
export function pgAddMsgRaw(table: string): string {
  return `ALTER TABLE ${quotePg(assertTableName(table))} ADD COLUMN IF NOT EXISTS ${quotePg('msg_raw')} bytea`;
}

export function pgCreateDefaultPartition(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quotePg(defaultPartitionName(table))} PARTITION OF ${quotePg(assertTableName(table))} DEFAULT`;
}

/** The partition of one UTC day: [day 00:00, next day 00:00). */
export function pgCreateDayPartition(table: string, day: number): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quotePg(dayPartitionName(table, day))} PARTITION OF ${quotePg(assertTableName(table))}` +
    ` FOR VALUES FROM ('${dayText(day)}') TO ('${dayText(day + 1)}')`
  );
}

export function pgCreateOffsetsTable(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${quotePg(OFFSETS_TABLE)} (\n` +
      `  ${quotePg('consumer_group')} varchar(255) NOT NULL,\n` +
      `  ${quotePg('topic')} varchar(255) NOT NULL,\n` +
      `  ${quotePg('kafka_partition')} integer NOT NULL,\n` +
      `  ${quotePg('next_offset')} bigint NOT NULL,\n` +
      `  ${quotePg('updated_at')} timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),\n` +
      `  ${quotePg('dedup_state')} bytea,\n` +
      `  PRIMARY KEY (${quotePg('consumer_group')}, ${quotePg('topic')}, ${quotePg('kafka_partition')})\n)`,
    // Tables made before DEDUP_WINDOW_MS existed get the column (the partition's dedup window, see dedup-window.ts).
    `ALTER TABLE ${quotePg(OFFSETS_TABLE)} ADD COLUMN IF NOT EXISTS ${quotePg('dedup_state')} bytea`,
  ];
}

const ENGINE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export interface MysqlTableOptions {
  /** Storage engine (default InnoDB; MyISAM for INSERT DELAYED on MariaDB). */
  engine?: string;
  /** DB_PARTITION=day: `PARTITION BY RANGE (TO_DAYS(date))`, created with the catch-all `pmax` only. */
  partitioned?: boolean;
  /** A utf8mb4 collation (default MYSQL_COLLATION); the store follows the capture tables already there. */
  collation?: string;
}

const COLLATION_PATTERN = /^utf8mb4_[a-z0-9_]{1,48}$/;

/** The table options after the columns: engine, character set, collation, partitions. */
function mysqlTableOptions(opts: MysqlTableOptions): string {
  const engine = opts.engine ?? 'InnoDB';
  if (!ENGINE_PATTERN.test(engine)) throw new Error(`invalid storage engine name "${engine}"`);
  const collation = opts.collation ?? MYSQL_COLLATION;
  if (!COLLATION_PATTERN.test(collation)) throw new Error(`invalid utf8mb4 collation name "${collation}"`);
  return `ENGINE=${engine} DEFAULT CHARSET=utf8mb4 COLLATE=${collation}${mysqlPartitionClause(opts)}`;
}

/** The catch-all partition of a MySQL day-partitioned table: rows after the last day partition. */
export const MYSQL_MAX_PARTITION = 'pmax';

/** A MySQL day partition's name (per table, so no table prefix): `pYYYYMMDD`. */
export function mysqlDayPartitionName(day: number): string {
  return 'p' + dayText(day).replace(/-/g, '');
}

/** HOMER 5's layout: range partitions on TO_DAYS(date); the writer splits days off `pmax` ahead of time. */
function mysqlPartitionClause(opts: MysqlTableOptions): string {
  return opts.partitioned
    ? `\nPARTITION BY RANGE (TO_DAYS(${quoteMysql('date')})) (PARTITION ${MYSQL_MAX_PARTITION} VALUES LESS THAN MAXVALUE)`
    : '';
}

/**
 * Splits day partitions off `pmax` (ascending days, each after every existing day partition): a day
 * partition holds the rows before the end of its day that no earlier partition holds.
 */
export function mysqlAddDayPartitions(table: string, days: readonly number[]): string {
  const q = quoteMysql;
  const parts = days.map((d) => `PARTITION ${mysqlDayPartitionName(d)} VALUES LESS THAN (TO_DAYS('${dayText(d + 1)}'))`);
  return `ALTER TABLE ${q(assertTableName(table))} REORGANIZE PARTITION ${MYSQL_MAX_PARTITION} INTO (${[...parts, `PARTITION ${MYSQL_MAX_PARTITION} VALUES LESS THAN MAXVALUE`].join(', ')})`;
}

/** CREATE TABLE statement of a capture table in MySQL/MariaDB (idempotent). */
export function mysqlCreateTable(table: string, opts: MysqlTableOptions = {}): string[] {
  assertTableName(table);
  const q = quoteMysql;
  const cols = [
    `${q('id')} bigint unsigned NOT NULL AUTO_INCREMENT`,
    // datetime, as Kamailio's own schema: no 2038 limit and no session time zone conversion; values are UTC.
    `${q('date')} datetime NOT NULL DEFAULT ${DATE_DEFAULT}`,
    ...COLUMNS.map((c) => {
      switch (columnKind(c)) {
        case 'micros':
          return `${q(c)} bigint NOT NULL DEFAULT 0`;
        case 'int':
          return `${q(c)} int NOT NULL DEFAULT ${intDefault(c)}`;
        case 'text':
          return `${q(c)} varchar(${width(c)}) NOT NULL DEFAULT ''`;
        case 'bytes':
          return `${q(c)} mediumblob NOT NULL`;
      }
    }),
    // A partitioned table's unique keys must hold the partition column.
    opts.partitioned ? `PRIMARY KEY (${q('id')}, ${q('date')})` : `PRIMARY KEY (${q('id')})`,
    ...INDEXED_COLUMNS.map((c) => `KEY ${q(`${c}_idx`)} (${q(c)})`),
  ];
  return [`CREATE TABLE IF NOT EXISTS ${q(table)} (\n  ${cols.join(',\n  ')}\n) ${mysqlTableOptions(opts)}`];
}

export function mysqlCreateOffsetsTable(): string[] {
  const q = quoteMysql;
  return [
    `CREATE TABLE IF NOT EXISTS ${q(OFFSETS_TABLE)} (\n` +
      `  ${q('consumer_group')} varchar(255) NOT NULL,\n` +
      `  ${q('topic')} varchar(255) NOT NULL,\n` +
      `  ${q('kafka_partition')} int NOT NULL,\n` +
      `  ${q('next_offset')} bigint NOT NULL,\n` +
      `  ${q('updated_at')} datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n` +
      `  ${q('dedup_state')} mediumblob NULL,\n` +
      `  PRIMARY KEY (${q('consumer_group')}, ${q('topic')}, ${q('kafka_partition')})\n` +
      `) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ];
}

/** Default table of each report kind (Kamailio's names). */
export const REPORT_TABLES = { rtcp: 'rtcp_capture', report: 'report_capture', logs: 'logs_capture' } as const;

function reportColumnType(c: ReportColumn, dialect: 'postgres' | 'mysql'): string {
  const int = dialect === 'postgres' ? 'integer' : 'int';
  if (c === 'micro_ts') return 'bigint NOT NULL DEFAULT 0';
  if (c === 'msg') return dialect === 'postgres' ? 'text NOT NULL' : `varchar(${REPORT_MYSQL_MSG_WIDTH}) NOT NULL`;
  if (c in REPORT_COLUMN_WIDTH) return `varchar(${REPORT_COLUMN_WIDTH[c as keyof typeof REPORT_COLUMN_WIDTH]}) NOT NULL DEFAULT ''`;
  return `${int} NOT NULL DEFAULT 0`;
}

/**
 * CREATE TABLE / INDEX statements of a report table (rtcp_capture, report_capture, logs_capture) in
 * PostgreSQL: Kamailio's 13 columns, primary key (id, date), indexes on date and correlation_id.
 */
export function pgCreateReportTable(table: string, opts: PgTableOptions = {}): string[] {
  assertTableName(table);
  const t = quotePg(table);
  const cols = [
    `${quotePg('id')} bigserial NOT NULL`,
    `${quotePg('date')} timestamp without time zone NOT NULL DEFAULT ${DATE_DEFAULT}`,
    ...REPORT_COLUMNS.map((c) => `${quotePg(c)} ${reportColumnType(c, 'postgres')}`),
    `PRIMARY KEY (${quotePg('id')}, ${quotePg('date')})`,
  ];
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${t} (\n  ${cols.join(',\n  ')}\n)${opts.partitioned ? ` PARTITION BY RANGE (${quotePg('date')})` : ''}`,
  ];
  if (opts.partitioned) statements.push(pgCreateDefaultPartition(table));
  for (const c of REPORT_INDEXED_COLUMNS) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${quotePg(derivedName(table, `${c}_idx`))} ON ${t} (${quotePg(c)})`);
  }
  return statements;
}

/** The same report table in MySQL/MariaDB (msg varchar(4500) as Kamailio's). */
export function mysqlCreateReportTable(table: string, opts: MysqlTableOptions = {}): string[] {
  assertTableName(table);
  const q = quoteMysql;
  const cols = [
    `${q('id')} bigint unsigned NOT NULL AUTO_INCREMENT`,
    `${q('date')} datetime NOT NULL DEFAULT ${DATE_DEFAULT}`,
    ...REPORT_COLUMNS.map((c) => `${q(c)} ${reportColumnType(c, 'mysql')}`),
    `PRIMARY KEY (${q('id')}, ${q('date')})`,
    ...REPORT_INDEXED_COLUMNS.map((c) => `KEY ${q(`${c}_idx`)} (${q(c)})`),
  ];
  return [`CREATE TABLE IF NOT EXISTS ${q(table)} (\n  ${cols.join(',\n  ')}\n) ${mysqlTableOptions(opts)}`];
}

/** The schema files under sql/, by path relative to the repository root. */
export function renderSqlFiles(): Record<string, string> {
  const file = (title: string, statements: string[]) =>
    `-- ${title}\n` +
    '-- Generated from libs/store/src/ddl.ts (the schema the db-writer creates); do not edit by hand.\n' +
    '-- Regenerate: UPDATE_SQL=1 npx vitest run --project unit libs/store/src/sql-files\n\n' +
    statements.map((s) => s + ';\n').join('\n');
  return {
    'sql/postgres/sip_capture.sql': file(
      "Kamailio's sip_capture table (Homer 5 column set, plus msg_raw) and the db-writer's offsets table, PostgreSQL.",
      [...pgCreateTable('sip_capture'), ...pgCreateOffsetsTable()],
    ),
    'sql/postgres/sip_capture_partitioned.sql': file(
      'sip_capture partitioned by day (DB_PARTITION=day), PostgreSQL. The db-writer adds the day partitions.',
      [...pgCreateTable('sip_capture', { partitioned: true }), ...pgCreateOffsetsTable()],
    ),
    'sql/mysql/sip_capture.sql': file(
      "Kamailio's sip_capture table (Homer 5 column set) and the db-writer's offsets table, MySQL / MariaDB.",
      [...mysqlCreateTable('sip_capture'), ...mysqlCreateOffsetsTable()],
    ),
    'sql/mysql/sip_capture_partitioned.sql': file(
      'sip_capture partitioned by day (DB_PARTITION=day), MySQL / MariaDB. The db-writer splits the day partitions off pmax.',
      [...mysqlCreateTable('sip_capture', { partitioned: true }), ...mysqlCreateOffsetsTable()],
    ),
    'sql/postgres/report_tables.sql': file(
      "Kamailio's rtcp_capture, report_capture and logs_capture tables (RTCP, QoS reports, logs), PostgreSQL.",
      Object.values(REPORT_TABLES).flatMap((t) => pgCreateReportTable(t)),
    ),
    'sql/postgres/report_tables_partitioned.sql': file(
      'The report tables partitioned by day (DB_PARTITION=day), PostgreSQL. The db-writer adds the day partitions.',
      Object.values(REPORT_TABLES).flatMap((t) => pgCreateReportTable(t, { partitioned: true })),
    ),
    'sql/mysql/report_tables.sql': file(
      "Kamailio's rtcp_capture, report_capture and logs_capture tables (RTCP, QoS reports, logs), MySQL / MariaDB.",
      Object.values(REPORT_TABLES).flatMap((t) => mysqlCreateReportTable(t)),
    ),
    'sql/mysql/report_tables_partitioned.sql': file(
      'The report tables partitioned by day (DB_PARTITION=day), MySQL / MariaDB. The db-writer splits the day partitions off pmax.',
      Object.values(REPORT_TABLES).flatMap((t) => mysqlCreateReportTable(t, { partitioned: true })),
    ),
  };
}
