import { describe, it, expect } from 'vitest';
import { COLUMNS, COLUMN_WIDTH } from '@sipcap/record';
import {
  dayPartitionName,
  defaultPartitionName,
  derivedName,
  mysqlCreateTable,
  mysqlCreateReportTable,
  pgCreateDayPartition,
  pgCreateTable,
} from './ddl';
import { INDEXED_COLUMNS } from '@sipcap/schema';

describe('derivedName', () => {
  it('appends the suffix while it fits in 63 characters', () => {
    expect(derivedName('sip_capture', 'date_idx')).toBe('sip_capture_date_idx');
  });

  it('shortens long table names and keeps them distinct', () => {
    const a = derivedName('a'.repeat(60) + 'x', 'callid_aleg_idx');
    const b = derivedName('a'.repeat(60) + 'y', 'callid_aleg_idx');
    expect(a.length).toBe(63);
    expect(a.endsWith('_callid_aleg_idx')).toBe(true);
    expect(a).not.toBe(b);
  });
});

describe('PostgreSQL DDL', () => {
  it('has every record column with its width, date, msg_raw and the indexes', () => {
    const [create, , ...rest] = pgCreateTable('sip_capture');
    for (const c of COLUMNS) expect(create).toContain(`"${c}" `);
    for (const [c, w] of Object.entries(COLUMN_WIDTH)) expect(create).toContain(`"${c}" varchar(${w}) NOT NULL DEFAULT ''`);
    expect(create).toContain('"id" bigserial NOT NULL');
    expect(create).toContain('"date" timestamp without time zone NOT NULL');
    expect(create).toContain('"msg" text NOT NULL');
    expect(create).toContain('"msg_raw" bytea');
    expect(create).toContain('PRIMARY KEY ("id")');
    expect(rest.filter((s) => s.startsWith('CREATE INDEX'))).toHaveLength(INDEXED_COLUMNS.length);
  });

  it('partitions by date with (id, date) as the key and a default partition', () => {
    const s = pgCreateTable('cap', { partitioned: true }).join(';\n');
    expect(s).toContain('PRIMARY KEY ("id", "date")');
    expect(s).toContain('PARTITION BY RANGE ("date")');
    expect(s).toContain(`CREATE TABLE IF NOT EXISTS "${defaultPartitionName('cap')}" PARTITION OF "cap" DEFAULT`);
  });

  it('creates a day partition for one UTC day', () => {
    const day = Date.UTC(2024, 1, 29) / 86_400_000;
    expect(dayPartitionName('cap', day)).toBe('cap_p20240229');
    expect(pgCreateDayPartition('cap', day)).toBe(
      `CREATE TABLE IF NOT EXISTS "cap_p20240229" PARTITION OF "cap" FOR VALUES FROM ('2024-02-29') TO ('2024-03-01')`,
    );
  });

  it('refuses invalid table names', () => {
    expect(() => pgCreateTable('x"; DROP TABLE y; --')).toThrow(/TABLE_NAME/);
  });
});

describe('MySQL DDL', () => {
  it('uses mediumblob for msg, datetime for date, utf8mb4 and the chosen engine', () => {
    const [create] = mysqlCreateTable('sip_capture', { engine: 'MyISAM' });
    expect(create).toContain('`msg` mediumblob NOT NULL');
    expect(create).toContain('`date` datetime NOT NULL');
    expect(create).toContain('`id` bigint unsigned NOT NULL AUTO_INCREMENT');
    expect(create).toContain('ENGINE=MyISAM DEFAULT CHARSET=utf8mb4');
    for (const c of INDEXED_COLUMNS) expect(create).toContain(`KEY \`${c}_idx\` (\`${c}\`)`);
    expect(create).not.toContain('msg_raw');
  });

  it('refuses a bad engine name', () => {
    expect(() => mysqlCreateTable('t', { engine: 'InnoDB; DROP TABLE x' })).toThrow(/engine/);
  });

  it('collates utf8mb4_general_ci unless given another utf8mb4 collation, sip and report tables alike', () => {
    for (const create of [mysqlCreateTable, mysqlCreateReportTable]) {
      expect(create('t')[0]).toMatch(/DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci$/);
      expect(create('t', { collation: 'utf8mb4_unicode_ci', partitioned: true })[0]).toContain(
        'DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci\nPARTITION BY RANGE',
      );
      expect(() => create('t', { collation: 'latin1_swedish_ci' })).toThrow(/collation/);
      expect(() => create('t', { collation: 'utf8mb4_bin; DROP TABLE x' })).toThrow(/collation/);
    }
  });
});
