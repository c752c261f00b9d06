// A sender's clock must not decide where rows go: HEP with forged capture times (1970, 2100) sent to a
// running hep-agent is stored with the receive time (counted), and a db-writer given such times anyway
// (an agent with the window off, CAPTURE_TIME_WINDOW_S=0) creates no partition or dated table for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { startWriter, TestDb } from './support/writer-fixtures';

const processes: AgentProcess[] = [];
const databases: TestDb[] = [];

beforeAll(() => {
  buildApp('hep-agent');
  buildApp('db-writer');
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
});

const FORGED = { y1970: 1, y2100: Math.floor(Date.UTC(2100, 0, 1) / 1000) };

function sip(callId: string): string {
  return [
    'OPTIONS sip:probe@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-tw',
    'From: <sip:a@example.com>;tag=1',
    'To: <sip:probe@example.com>',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function hep(callId: string, tsSec: number): Buffer {
  return encodeHep3({
    srcIp: '192.0.2.10',
    dstIp: '198.51.100.20',
    srcPort: 5060,
    dstPort: 5060,
    tsSec,
    tsUsec: 0,
    captureId: 7,
    payloadType: 1,
    correlationId: callId,
    payload: Buffer.from(sip(callId)),
  });
}

const dayName = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');

/** Sends the three packets of a run (1970, 2100, now) to a fresh agent and returns their Call-IDs. */
async function sendForged(
  agentEnv: Record<string, string>,
  topic: string,
): Promise<{ agent: AgentProcess; ids: Record<'y1970' | 'y2100' | 'now', string> }> {
  const port = await freeTcpUdpPort();
  const agent = startAgent('hep-agent', {
    HEP_LISTEN: `127.0.0.1:${port}`,
    KAFKA_TOPIC: topic,
    KAFKA_PARTITIONS: '6',
    CAPTURE_ON: '1',
    CAPTURE_FLAG_KEY: uniqueName('tw-flag'),
    ...agentEnv,
  });
  processes.push(agent);
  await agent.waitForLog('hep-agent ready', 60_000);
  const run = uniqueName('tw');
  const ids = { y1970: `${run}-1970`, y2100: `${run}-2100`, now: `${run}-now` };
  const udp = await udpClient(port);
  try {
    await udp.send(hep(ids.y1970, FORGED.y1970));
    await udp.send(hep(ids.y2100, FORGED.y2100));
    await udp.send(hep(ids.now, Math.floor(Date.now() / 1000)));
  } finally {
    udp.close();
  }
  return { agent, ids };
}

async function pgTables(db: TestDb): Promise<string[]> {
  const rows = await db.query<{ relname: string }>(
    "SELECT relname FROM pg_class WHERE relkind IN ('r','p') AND relnamespace = 'public'::regnamespace ORDER BY relname",
  );
  return rows.map((r) => r.relname);
}

describe('capture time window', () => {
  it('the agent stores forged 1970 and 2100 times as the receive time, counted by direction', async () => {
    const topic = await freshTopic(6, 'tw-agent');
    const db = await new TestDb('postgres').create();
    databases.push(db);
    const before = Date.now();
    const { agent, ids } = await sendForged({ CAPTURE_TIME_WINDOW_S: '86400' }, topic);
    processes.push(startWriter(db, topic, uniqueName('g-tw'), { DB_PARTITION: 'day', DB_TIME_WINDOW_DAYS: '7' }));
    const rows = await waitFor(
      '3 rows',
      async () => {
        const r = await db
          .query<{ callid: string; micro_ts: string; part: string }>(
            'SELECT callid, micro_ts::text AS micro_ts, tableoid::regclass::text AS part FROM sip_capture',
          )
          .catch(() => []);
        return r.length >= 3 ? r : undefined;
      },
      60_000,
      250,
    );
    const after = Date.now();
    for (const id of [ids.y1970, ids.y2100, ids.now]) {
      const row = rows.find((r) => r.callid === id)!;
      const ms = Number(BigInt(row.micro_ts) / 1000n);
      expect(ms, id).toBeGreaterThanOrEqual(before - 1000);
      expect(ms, id).toBeLessThanOrEqual(after);
      expect(row.part).toBe(`sip_capture_p${dayName(ms)}`);
    }
    expect(await agent.metric('sipcap_capture_time_replaced_total', '{direction="past"}')).toBe(1);
    expect(await agent.metric('sipcap_capture_time_replaced_total', '{direction="future"}')).toBe(1);
    expect(agent.output()).toContain('1970-01-01T00:00:01.000Z');
    expect((await pgTables(db)).filter((t) => /_p(1970|2100)/.test(t))).toEqual([]);
  });

  it('a writer given forged times (agent window off) creates no partition or dated table for them', async () => {
    const topic = await freshTopic(6, 'tw-writer');
    const dbs = {
      partitioned: await new TestDb('postgres').create(),
      datedPg: await new TestDb('postgres').create(),
      datedMysql: await new TestDb('mysql').create(),
    };
    databases.push(...Object.values(dbs));
    const writers = {
      partitioned: startWriter(dbs.partitioned, topic, uniqueName('g-tw-part'), { DB_PARTITION: 'day', DB_TIME_WINDOW_DAYS: '7' }),
      datedPg: startWriter(dbs.datedPg, topic, uniqueName('g-tw-dpg'), { TABLE_NAME: 'sip_capture_%Y%m%d', DB_TIME_WINDOW_DAYS: '7' }),
      datedMysql: startWriter(dbs.datedMysql, topic, uniqueName('g-tw-dmy'), {
        TABLE_NAME: 'sip_capture_%Y%m%d',
        DB_TIME_WINDOW_DAYS: '7',
      }),
    };
    processes.push(...Object.values(writers));
    for (const w of Object.values(writers)) await w.waitForLog('db-writer consuming', 60_000);
    const { ids } = await sendForged({ CAPTURE_TIME_WINDOW_S: '0' }, topic);
    const today = dayName(Date.now());

    // Partitioned: the forged rows are stored with their own times, in the default partition.
    const parts = await waitFor(
      '3 rows (partitioned)',
      async () => {
        const r = await dbs.partitioned
          .query<{ callid: string; part: string; micro_ts: string }>(
            'SELECT callid, tableoid::regclass::text AS part, micro_ts::text AS micro_ts FROM sip_capture',
          )
          .catch(() => []);
        return r.length >= 3 ? r : undefined;
      },
      60_000,
      250,
    );
    const partOf = (id: string) => parts.find((r) => r.callid === id)!;
    expect(partOf(ids.y1970).part).toBe('sip_capture_default');
    expect(partOf(ids.y1970).micro_ts).toBe('1000000');
    expect(partOf(ids.y2100).part).toBe('sip_capture_default');
    expect(partOf(ids.now).part).toMatch(/^sip_capture_p\d{8}$/);
    expect((await pgTables(dbs.partitioned)).filter((t) => /_p(1970|2100)/.test(t))).toEqual([]);

    // Dated tables: the forged rows land in today's table; no table of 1970 or 2100 exists.
    for (const [name, db] of [
      ['datedPg', dbs.datedPg],
      ['datedMysql', dbs.datedMysql],
    ] as const) {
      const rows = await waitFor(
        `3 rows in today's table (${name})`,
        async () => {
          const r = await db
            .query<{ callid: string; micro_ts: string | number }>(`SELECT callid, micro_ts FROM sip_capture_${today}`)
            .catch(() => []);
          return r.length >= 3 ? r : undefined;
        },
        60_000,
        250,
      );
      expect(rows.map((r) => r.callid).sort()).toEqual([ids.y1970, ids.y2100, ids.now].sort());
      expect(String(rows.find((r) => r.callid === ids.y1970)!.micro_ts)).toBe('1000000');
      const tables =
        db.dialect === 'postgres'
          ? await pgTables(db)
          : (await db.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()')).map(
              (r) => r.t,
            );
      expect(
        tables.filter((t) => /^sip_capture_(1970|2100)/.test(t)),
        name,
      ).toEqual([]);
      expect(await writers[name].metric('sipcap_db_rows_outside_window_total')).toBe(2);
    }
  });
});
