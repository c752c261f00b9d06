// HOMER 5 table routing: a capture replayed with `sipcap replay` through a running hep-agent lands, through
// running db-writers (PostgreSQL and MariaDB), in sip_capture_call_*, sip_capture_registration_* and
// sip_capture_rest_* by kind of message (CSeq method, as HOMER 5's Kamailio script splits them), and the
// web finds each call, its messages across the tables it lies in.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { startWriter, TestDb } from './support/writer-fixtures';

const KINDS = {
  CALL_TABLE_NAME: 'sip_capture_call_%Y%m%d',
  REGISTRATION_TABLE_NAME: 'sip_capture_registration_%Y%m%d',
  REST_TABLE_NAME: 'sip_capture_rest_%Y%m%d',
};
const processes: AgentProcess[] = [];
const databases: TestDb[] = [];

beforeAll(() => {
  for (const app of ['hep-agent', 'db-writer', 'web', 'cli']) buildApp(app);
});
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
});

describe('HOMER 5 routing by kind of message', () => {
  it('stores each kind in its own dated table and the web finds the calls across them', async () => {
    const topic = await freshTopic(4, 'homer5');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '4',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('h5-flag'),
    });
    processes.push(agent);
    const dbs = [await new TestDb('postgres').create(), await new TestDb('mysql').create()];
    databases.push(...dbs);
    const writers = dbs.map((db) => startWriter(db, topic, uniqueName(`g-h5-${db.dialect}`), { ...KINDS, KAFKA_PARTITIONS: '4' }));
    processes.push(...writers);
    await agent.waitForLog('hep-agent ready', 60_000);
    for (const w of writers) await w.waitForLog('db-writer consuming', 60_000);

    // The sample: 4 calls (INVITE, responses, ACK, BYE), REGISTERs and OPTIONS, sent with today's time.
    execFileSync(
      process.execPath,
      ['dist/apps/cli/main.js', 'replay', 'samples/sample-calls.pcap', '--to', `127.0.0.1:${port}`, '--now', '--rate', '0'],
      { stdio: 'pipe' },
    );
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const tables = { call: `sip_capture_call_${day}`, registration: `sip_capture_registration_${day}`, rest: `sip_capture_rest_${day}` };

    for (const db of dbs) {
      const rows = async (t: string) => db.query<{ cseq: string; callid: string }>(`SELECT cseq, callid FROM ${t}`).catch(() => []);
      const byTable = await waitFor(
        `rows in the three tables of ${db.dialect}`,
        async () => {
          const r = { call: await rows(tables.call), registration: await rows(tables.registration), rest: await rows(tables.rest) };
          return r.call.length > 0 && r.registration.length > 0 && r.rest.length > 0 ? r : undefined;
        },
        60_000,
        250,
      );
      await new Promise((r) => setTimeout(r, 1000)); // the last batch
      const method = (cseq: string) => cseq.split(' ').pop();
      const again = { call: await rows(tables.call), registration: await rows(tables.registration), rest: await rows(tables.rest) };
      expect(again.call.length).toBeGreaterThanOrEqual(byTable.call.length);
      expect(new Set(again.call.map((r) => method(r.cseq)))).toEqual(new Set(['INVITE', 'ACK', 'BYE']));
      expect(new Set(again.registration.map((r) => method(r.cseq)))).toEqual(new Set(['REGISTER']));
      expect(new Set(again.rest.map((r) => method(r.cseq)))).toEqual(new Set(['OPTIONS']));
      const tablesNow =
        db.dialect === 'postgres'
          ? (
              await db.query<{ t: string }>(
                "SELECT relname AS t FROM pg_class WHERE relkind IN ('r','p') AND relnamespace = 'public'::regnamespace",
              )
            ).map((r) => r.t)
          : (await db.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()')).map(
              (r) => r.t,
            );
      expect(tablesNow).not.toContain('sip_capture'); // every kind has its table: TABLE_NAME gets nothing

      // The web: a call's messages come from the call table, found by Call-ID like any other.
      const webPort = await freeTcpUdpPort();
      const web = startAgent('web', { DB_URL: db.url, ...KINDS, WEB_LISTEN: `127.0.0.1:${webPort}` });
      processes.push(web);
      await web.waitForLog('web listening', 30_000);
      const callid = again.call[0].callid;
      const found = (await (await fetch(`http://127.0.0.1:${webPort}/api/search?callid=${encodeURIComponent(callid)}`)).json()) as {
        tables: string[];
        rows: { method: string }[];
      };
      expect(found.tables).toContain(tables.call);
      expect(found.rows.length).toBe(again.call.filter((r) => r.callid === callid).length);
      const regs = (await (
        await fetch(`http://127.0.0.1:${webPort}/api/search?callid=${encodeURIComponent(again.registration[0].callid)}`)
      ).json()) as { rows: unknown[] };
      expect(regs.rows.length).toBeGreaterThan(0);
      await web.stop();
    }
  });
});
