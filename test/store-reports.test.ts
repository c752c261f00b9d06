// Report records (RTCP, QoS reports, logs) in Kamailio's rtcp_capture / report_capture / logs_capture,
// on both databases: the tables as Kamailio has them, the same exactly-once transaction as sip_capture,
// table-name templates, and (PostgreSQL) day partitions and retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { buildReportRecord, REPORT_COLUMNS, sampleRecord, type ReportKind, type ReportRecord } from '@sipcap/record';
import {
  dayPartitionName,
  defaultPartitionName,
  ensureDatabase,
  ensureReportSchema,
  openStore,
  ReportTableRouter,
  type OffsetRow,
  type Store,
  type StoreOptions,
} from '@sipcap/store';
import { HOSTILE, micros, testDatabaseName } from './store-fixtures';

const DAY_MS = 86_400_000;

function report(kind: ReportKind, msg: string, overrides: Partial<ReportRecord> = {}): ReportRecord {
  const r = buildReportRecord(
    {
      kind,
      type: kind === 'rtcp' ? 3 : kind === 'logs' ? 5 : 2,
      msg,
      srcIp: '192.0.2.10',
      srcPort: 30000,
      dstIp: '2001:db8::7',
      dstPort: 30002,
      family: 2,
      proto: 1,
      microTs: micros('2026-11-30T12:34:56.789012Z'),
      correlationId: 'call-1@example.com',
      captureId: 2001,
    },
    'homer01',
  );
  return { ...r, ...overrides };
}

/** Rows of one Kafka partition at the given offsets, routed as the db-writer routes them. */
function positioned(router: ReportTableRouter, records: ReportRecord[], partition = 0, first = 0n): OffsetRow[] {
  return records.map((record, i) => ({ partition, offset: first + BigInt(i), table: router.route(record), record }));
}

const RTCP_JSON =
  '{"sender_information":{"ntp_timestamp_sec":3902911171,"ntp_timestamp_usec":1298034544,"rtp_timestamp":123456,"packets":500,"octets":80000},"ssrc":1578773308,"type":200,"report_count":0,"report_blocks":[]}';

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`report tables, ${dialect}`, () => {
    const dbName = testDatabaseName();
    const server = dialect === 'postgres' ? 'postgres://postgres@127.0.0.1:5432' : 'mysql://root@127.0.0.1:3306';
    const dbUrl = `${server}/${dbName}`;
    const stores: Store[] = [];
    let query: (sql: string) => Promise<Record<string, unknown>[]>;
    let close: () => Promise<void>;
    const q = (name: string) => (dialect === 'postgres' ? `"${name}"` : `\`${name}\``);

    async function store(opts: StoreOptions = {}): Promise<Store> {
      const s = await openStore(dbUrl, opts);
      stores.push(s);
      return s;
    }

    beforeAll(async () => {
      await ensureDatabase(dbUrl);
      if (dialect === 'postgres') {
        const c = new pg.Client({ connectionString: dbUrl });
        await c.connect();
        query = async (sql) => (await c.query(sql)).rows;
        close = async () => {
          await c.end();
          const admin = new pg.Client({ connectionString: `${server}/postgres` });
          await admin.connect();
          await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
          await admin.end();
        };
      } else {
        const c = await mysql.createConnection({ uri: dbUrl, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
        query = async (sql) => (await c.query(sql))[0] as Record<string, unknown>[];
        close = async () => {
          await c.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
          await c.end();
        };
      }
    });

    afterAll(async () => {
      for (const s of stores) await s.close().catch(() => undefined);
      await close?.();
    });

    it("creates Kamailio's three tables: 13 columns, primary key (id, date), indexes on date and correlation_id", async () => {
      const s = await store();
      const router = new ReportTableRouter({});
      expect(await ensureReportSchema(s, router)).toEqual(['rtcp_capture', 'report_capture', 'logs_capture']);
      for (const t of ['rtcp_capture', 'report_capture', 'logs_capture']) {
        const cols = await query(
          `SELECT column_name AS c FROM information_schema.columns WHERE table_name = '${t}' AND table_schema = ${dialect === 'postgres' ? 'current_schema()' : 'DATABASE()'} ORDER BY ordinal_position`,
        );
        expect(cols.map((r) => r.c ?? r.C ?? r.COLUMN_NAME)).toEqual(['id', 'date', ...REPORT_COLUMNS]);
        if (dialect === 'postgres') {
          const pk = await query(
            `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '${t}'::regclass AND contype = 'p'`,
          );
          expect(pk[0].def).toBe('PRIMARY KEY (id, date)');
          const idx = await query(`SELECT indexdef FROM pg_indexes WHERE tablename = '${t}'`);
          for (const c of ['date', 'correlation_id'])
            expect(
              idx.some((r) => String(r.indexdef).endsWith(`(${c})`)),
              c,
            ).toBe(true);
        } else {
          const keys = await query(`SHOW INDEX FROM \`${t}\``);
          expect(keys.filter((k) => k.Key_name === 'PRIMARY').map((k) => k.Column_name)).toEqual(['id', 'date']);
          for (const c of ['date', 'correlation_id'])
            expect(
              keys.some((k) => k.Key_name !== 'PRIMARY' && k.Column_name === c),
              c,
            ).toBe(true);
          const msg = await query(
            `SELECT COLUMN_TYPE AS t FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '${t}' AND column_name = 'msg'`,
          );
          expect(msg[0].t).toBe('varchar(4500)');
        }
      }
    });

    it('stores SIP and report rows of one batch in one transaction with the offsets, exactly once', async () => {
      const s = await store();
      const router = new ReportTableRouter({ rtcp: 'rtcp_once', report: 'report_once', logs: 'logs_once' });
      const records = [
        report('rtcp', RTCP_JSON),
        report('report', '{"CallID":"call-1@example.com","MOS":4.1}', { type: 34 }),
        report('logs', `log line ${HOSTILE.quotes} ${HOSTILE.backslashes} ${HOSTILE.controls} ${HOSTILE.injection} ${HOSTILE.unicode}`),
      ];
      const rows: OffsetRow[] = [
        { partition: 3, offset: 10n, table: 'sip_once', record: sampleRecord({ callid: 'call-1@example.com' }) },
        ...positioned(router, records, 3, 11n),
      ];
      const first = await s.writePositioned('g', 'topic.reports', rows);
      expect(first).toMatchObject({ inserted: 4, skipped: 0 });
      expect(Object.fromEntries(first.perTable)).toEqual({ sip_once: 1, rtcp_once: 1, report_once: 1, logs_once: 1 });
      // Redelivered (a writer restarted before its Kafka commit): nothing is stored twice.
      expect(await s.writePositioned('g', 'topic.reports', rows)).toMatchObject({ inserted: 0, skipped: 4 });
      expect((await s.readOffsets('g', 'topic.reports')).get(3)).toBe('14');
      for (const [t, r] of [
        ['rtcp_once', records[0]],
        ['report_once', records[1]],
        ['logs_once', records[2]],
      ] as const) {
        const got = await query(
          `SELECT ${REPORT_COLUMNS.map((c) => q(c)).join(', ')}, CAST(${q('date')} AS char(19)) AS ${q('date')} FROM ${q(t)}`,
        );
        expect(got).toHaveLength(1);
        const row = got[0];
        expect({ ...row, micro_ts: String(row.micro_ts), date: String(row.date).slice(0, 19) }).toEqual({
          micro_ts: String(r.micro_ts),
          correlation_id: 'call-1@example.com',
          source_ip: '192.0.2.10',
          source_port: 30000,
          destination_ip: '2001:db8::7',
          destination_port: 30002,
          proto: 1,
          family: 2,
          type: r.type,
          node: 'homer01:2001',
          msg: r.msg,
          date: '2026-11-30 12:34:56',
        });
      }
    });

    it('expands strftime fields of the report table names with the capture time', async () => {
      const s = await store();
      const router = new ReportTableRouter({ rtcp: 'rtcp_capture_%Y%m%d', logs: 'logs_capture_%Y%m%d' });
      const r1 = report('rtcp', RTCP_JSON);
      const r2 = report('logs', 'next day', { micro_ts: micros('2026-12-01T00:00:01Z') });
      const res = await s.writePositioned('g', 'topic.dated', positioned(router, [r1, r2]));
      expect(Object.fromEntries(res.perTable)).toEqual({ rtcp_capture_20261130: 1, logs_capture_20261201: 1 });
    });

    if (dialect === 'mysql') {
      it("cuts msg to Kamailio's varchar(4500) on a character boundary instead of losing the row", async () => {
        const s = await store();
        const router = new ReportTableRouter({ logs: 'logs_long' });
        const long = '😀'.repeat(2000) + 'x'.repeat(1000);
        await s.writePositioned('g', 'topic.long', positioned(router, [report('logs', long)]));
        const got = await query('SELECT CHAR_LENGTH(msg) AS n, msg FROM logs_long');
        expect(Number(got[0].n)).toBe(4500 - 2000); // 2000 emoji are 4000 UTF-16 units
        expect(got[0].msg).toBe(long.slice(0, 4500));
      });
    }

    if (dialect === 'postgres') {
      it('partitions report tables by day and drops expired days with sip_capture (DB_PARTITION, DB_RETENTION_DAYS)', async () => {
        const s = await store({ partition: 'day', partitionAheadDays: 1, retentionDays: 2 });
        const router = new ReportTableRouter({ rtcp: 'rtcp_part' });
        const today = Math.floor(Date.now() / DAY_MS);
        const at = (day: number) => BigInt(day * DAY_MS + 3_600_000) * 1000n;
        await s.writePositioned(
          'g',
          'topic.part',
          positioned(router, [report('rtcp', RTCP_JSON, { micro_ts: at(today) }), report('rtcp', RTCP_JSON, { micro_ts: at(today - 1) })]),
        );
        const parts = await query(
          "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'rtcp_part'::regclass ORDER BY 1",
        );
        expect(parts.map((p) => p.relname)).toEqual(
          [defaultPartitionName('rtcp_part'), ...[-1, 0, 1].map((d) => dayPartitionName('rtcp_part', today + d))].sort(),
        );
        const res = await s.applyRetention(new Date((today + 2) * DAY_MS + 3_600_000));
        expect(res.dropped).toEqual([dayPartitionName('rtcp_part', today - 1)]);
        expect(await query('SELECT count(*)::int AS n FROM rtcp_part')).toEqual([{ n: 1 }]);
      });
    }
  });
}
