// The web app's JSON API on PostgreSQL and on MariaDB, over rows written by the real pipeline: a
// hep-agent receives the test calls as HEP, two db-writers (one per database, each its own consumer
// group) store them in dated tables (TABLE_NAME=sip_capture_%Y%m%d), then a web app per database is
// asked about them. The exported pcap is read back by tshark.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, udpClient } from './support/apps';
import { BROKERS, freshTopic, testKafka, uniqueName, waitFor } from './support/kafka';
import { toHep, webDataSet, type WebMessage } from './support/web-calls';

const RUN = randomBytes(4).toString('hex');
const DB_NAME = `sipcap_web_${RUN}`;
const DB_URLS = { postgres: `postgres://postgres@127.0.0.1:5432/${DB_NAME}`, mysql: `mysql://root@127.0.0.1:3306/${DB_NAME}` } as const;
type Db = keyof typeof DB_URLS;
const TABLE_NAME = 'sip_capture_%Y%m%d';
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const data = webDataSet(RUN, Date.now());
const { ids, users } = data;
const tmp = mkdtempSync(join(tmpdir(), 'sipcap-web-'));

const procs: AgentProcess[] = [];
const web: Partial<Record<Db, string>> = {};
let topic = '';
const groups = { postgres: `web-pg-${RUN}`, mysql: `web-my-${RUN}` };

/** Rows in every capture table of the database. */
async function storedRows(db: Db): Promise<number> {
  if (db === 'postgres') {
    const c = new pg.Client({ connectionString: DB_URLS.postgres });
    await c.connect().catch(() => undefined);
    try {
      const t = await c.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'sip_capture_%'`,
      );
      let n = 0;
      for (const r of t.rows) n += Number((await c.query(`SELECT count(*) AS n FROM "${r.table_name}"`)).rows[0].n);
      return n;
    } catch {
      return 0;
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: DB_URLS.mysql });
    const [t] = await conn.query(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'sip\\_capture\\_%'`,
    );
    let n = 0;
    for (const r of t as { name: string }[])
      n += Number(((await conn.query(`SELECT count(*) AS n FROM \`${r.name}\``))[0] as { n: number }[])[0].n);
    return n;
  } catch {
    return 0;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

async function startWeb(db: Db, extra: Record<string, string> = {}): Promise<string> {
  const port = await freeTcpUdpPort();
  const agent = startAgent('web', { DB_URL: DB_URLS[db], TABLE_NAME, WEB_LISTEN: `127.0.0.1:${port}`, ...extra });
  procs.push(agent);
  await agent.waitForLog('web listening');
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  for (const app of ['hep-agent', 'db-writer', 'web']) buildApp(app);
  topic = await freshTopic(2, 'web');
  const hepPort = await freeTcpUdpPort();
  const kafka = { KAFKA_BROKERS: BROKERS.join(','), KAFKA_TOPIC: topic, KAFKA_PARTITIONS: '2', KAFKA_DLQ_TOPIC: `${topic}.dlq` };
  const hep = startAgent('hep-agent', {
    ...kafka,
    HEP_LISTEN: `127.0.0.1:${hepPort}`,
    CAPTURE_ON: '1',
    CAPTURE_FLAG_KEY: uniqueName('web-flag'),
    CAPTURE_NODE: data.node,
    KAFKA_LINGER_MS: '2',
  });
  const writers = (Object.keys(DB_URLS) as Db[]).map((db) =>
    startAgent('db-writer', { ...kafka, DB_URL: DB_URLS[db], TABLE_NAME, KAFKA_GROUP_ID: groups[db], DB_FLUSH_MS: '50' }),
  );
  procs.push(hep, ...writers);
  await Promise.all([hep.waitForLog('hep-agent ready'), ...writers.map((w) => w.waitForLog('db-writer consuming', 60_000))]);

  const udp = await udpClient(hepPort);
  for (const m of data.messages) await udp.send(toHep(m));
  udp.close();
  for (const db of Object.keys(DB_URLS) as Db[]) {
    await waitFor(
      `${data.messages.length} rows in ${db}`,
      async () => ((await storedRows(db)) >= data.messages.length ? true : undefined),
      90_000,
      250,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message} (${db} holds ${await storedRows(db)})\n${procs.map((p) => p.output().slice(-3000)).join('\n----\n')}`);
    });
  }
  // The pipeline's work is done: stop it so the web tests run on a quieter machine.
  for (const p of procs.splice(0)) await p.stop();
  web.postgres = await startWeb('postgres');
  web.mysql = await startWeb('mysql');
}, 240_000);

afterAll(async () => {
  for (const p of procs) await p.stop();
  const admin = testKafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await admin.deleteGroups(Object.values(groups)).catch(() => undefined);
  await admin.disconnect();
  const pgAdmin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await pgAdmin.connect();
  await pgAdmin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  await pgAdmin.end();
  const my = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
  await my.query(`DROP DATABASE IF EXISTS \`${DB_NAME}\``);
  await my.end();
  rmSync(tmp, { recursive: true, force: true });
});

interface Row {
  table: string;
  id: string;
  date: string;
  micro_ts: string;
  method: string;
  callid: string;
  from_user: string;
  source_ip: string;
  node: string;
}
interface Search {
  tables: string[];
  rows: Row[];
  hasMore: boolean;
  next?: string;
}
interface CallJson {
  callid: string;
  callids: string[];
  messages: (Row & { msg: string; source_port: number; destination_ip: string; destination_port: number; proto: number })[];
  truncated: boolean;
}

async function get(db: Db, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(web[db]! + path, { headers });
}

async function json<T>(db: Db, path: string): Promise<T> {
  const r = await get(db, path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Search the recent calls (the last hour, as by default, but fixed so the test does not race the clock). */
function search(db: Db, params: Record<string, string>): Promise<Search> {
  const p = new URLSearchParams({ from: String(data.t0 - 60_000), to: String(data.t0 + 30 * 60_000), ...params });
  return json<Search>(db, `/api/search?${p}`);
}

const sent = (pred: (m: WebMessage) => boolean) => data.messages.filter(pred);
const callMessages = (...callids: string[]) => sent((m) => callids.includes(m.callid));
const isoOf = (m: WebMessage) => new Date(Number(m.tsMicros / 1000n)).toISOString().slice(0, 23);

/** Each search filter, its value, and the messages it must find (among all the test's recent messages). */
const FILTER_CASES: [string, string, () => WebMessage[]][] = [
  ['from_user', users.alice, () => callMessages(ids.a)],
  ['to_user', users.bob, () => callMessages(ids.a, ids.b, ids.evil)],
  ['ruri_user', users.bobDevice, () => sent((m) => m.callid === ids.b && !m.payload.toString().startsWith('SIP/2.0'))],
  ['pid_user', users.pai, () => callMessages(ids.a).slice(0, 1)],
  ['method', 'INVITE', () => sent((m) => m.payload.toString().startsWith('INVITE') && m.tsMicros > BigInt(data.t0) * 1000n)],
  ['method', '486', () => sent((m) => m.payload.toString().startsWith('SIP/2.0 486'))],
  ['method', '4xx', () => sent((m) => m.payload.toString().startsWith('SIP/2.0 486'))],
  ['source_ip', '2001:db8::1', () => sent((m) => m.srcIp === '2001:db8::1')],
  ['destination_ip', '10.1.0.4', () => sent((m) => m.dstIp === '10.1.0.4')],
  ['node', `${data.node}:2002`, () => callMessages(ids.e)],
];

describe.each(['postgres', 'mysql'] as const)('web API on %s', (db) => {
  it('finds messages by Call-ID, newest first, with the table each row is in', async () => {
    const r = await search(db, { callid: ids.a });
    const expected = callMessages(ids.a);
    expect(r.rows).toHaveLength(expected.length);
    expect(r.rows.every((row) => row.callid === ids.a)).toBe(true);
    expect(r.rows.map((row) => row.micro_ts)).toEqual(expected.map((m) => String(m.tsMicros)).reverse());
    const day = new Date(data.t0).toISOString().slice(0, 10).replaceAll('-', '');
    expect(r.rows[0].table).toBe(`sip_capture_${day}`);
    expect(r.rows[0].date).toBe(`${isoOf(expected[expected.length - 1])}123Z`);
  });

  it.each(FILTER_CASES)('filters on %s = %s', async (field, value, expected) => {
    const r = await search(db, { [field]: value });
    const want = expected();
    expect(want.length).toBeGreaterThan(0);
    expect(r.rows.map((row) => row.micro_ts).sort()).toEqual(want.map((m) => String(m.tsMicros)).sort());
  });

  it('searches the last hour by default: the recent calls, not the past days', async () => {
    const recent = await json<Search>(db, `/api/search?callid=${encodeURIComponent(ids.a)}`);
    expect(recent.rows).toHaveLength(callMessages(ids.a).length);
    const old = await json<Search>(db, `/api/search?from_user=${users.reg}`);
    expect(old.rows).toHaveLength(0);
  });

  it('searches across dated tables of several days, and only the tables of the range', async () => {
    const both = await json<Search>(db, `/api/search?from_user=${users.reg}&from=2025-03-10T00:00:00Z&to=2025-03-11T23:59:59Z`);
    expect(both.tables).toEqual(['sip_capture_20250310', 'sip_capture_20250311']);
    expect(both.rows.map((r) => r.table)).toEqual([
      'sip_capture_20250311',
      'sip_capture_20250311',
      'sip_capture_20250310',
      'sip_capture_20250310',
    ]);
    expect(both.rows.map((r) => r.method)).toEqual(['200', 'REGISTER', '200', 'REGISTER']);
    const first = await json<Search>(db, `/api/search?from_user=${users.reg}&from=2025-03-10T00:00:00Z&to=2025-03-10T23:59:59Z`);
    expect(first.tables).toEqual(['sip_capture_20250310']);
    expect(first.rows).toHaveLength(2);
    const none = await json<Search>(db, `/api/search?from=2025-03-12T00:00:00Z&to=2025-03-12T23:00:00Z`);
    expect(none).toMatchObject({ tables: [], rows: [], hasMore: false });
  });

  it('pages with a cursor and with an offset, newest first, without gaps or repeats', async () => {
    const all = sent((m) => m.callid.startsWith('opt-'))
      .map((m) => String(m.tsMicros))
      .reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    do {
      const r = await search(db, { from_user: users.pager, limit: '10', ...(cursor ? { before: cursor } : {}) });
      pages.push(r.rows.length);
      seen.push(...r.rows.map((row) => row.micro_ts));
      expect(r.hasMore).toBe(r.next !== undefined);
      cursor = r.next;
    } while (cursor);
    expect(pages).toEqual([10, 10, 5]);
    expect(seen).toEqual(all);
    const second = await search(db, { from_user: users.pager, limit: '10', offset: '10' });
    expect(second.rows.map((row) => row.micro_ts)).toEqual(all.slice(10, 20));
  });

  it('refuses a bad parameter with 400, naming it', async () => {
    const r = await get(db, '/api/search?caller=alice');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'caller' });
  });

  it('lists calls: one line per call with its legs merged, duration, final status and message count', async () => {
    const p = new URLSearchParams({ from: String(data.t0 - 60_000), to: String(data.t0 + 30 * 60_000) });
    const r = await json<{
      calls: {
        callid: string;
        callids: string[];
        durationMs: number;
        status: string;
        legs: number;
        messages: number;
        from_user: string;
        to_user: string;
        method: string;
      }[];
      hasMore: boolean;
    }>(db, `/api/calls?${p}`);
    const a = r.calls.filter((c) => c.callids.includes(ids.a));
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      callid: ids.a,
      durationMs: 5030,
      status: '200',
      legs: 3,
      messages: callMessages(ids.a, ids.b, ids.d).length,
      from_user: users.alice,
      to_user: users.bob,
      method: 'INVITE',
    });
    expect([...a[0].callids].sort()).toEqual([ids.a, ids.b, ids.d].sort());
    expect(r.calls.filter((c) => c.callids.includes(ids.b) || c.callids.includes(ids.d))).toHaveLength(1);
    const e = r.calls.find((c) => c.callid === ids.e);
    const eMessages = callMessages(ids.e);
    expect(e).toMatchObject({
      status: '486',
      legs: 1,
      messages: 3,
      durationMs: Number((eMessages[2].tsMicros - eMessages[0].tsMicros) / 1000n),
    });
    // Newest first, each Call-ID once.
    const starts = r.calls.map((c) => c.callid);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts.indexOf(ids.e)).toBeLessThan(starts.indexOf(ids.a));
    // Filters pick the calls; the figures still count every message of the call.
    const byUser = await json<{ calls: { callid: string; messages: number }[] }>(db, `/api/calls?${p}&from_user=${users.alice}`);
    expect(byUser.calls.map((c) => c.callid)).toEqual([ids.a]);
    const limited = await json<{ calls: unknown[]; hasMore: boolean }>(db, `/api/calls?${p}&from_user=${users.pager}&limit=10`);
    expect(limited).toMatchObject({ hasMore: true });
    expect(limited.calls).toHaveLength(10);
  });

  it('searches a user or Call-ID by prefix (trailing *), with % and _ matching themselves', async () => {
    const byUser = await search(db, { from_user: `${users.alice.slice(0, -2)}*` });
    expect(byUser.rows.map((r) => r.micro_ts).sort()).toEqual(
      callMessages(ids.a)
        .map((m) => String(m.tsMicros))
        .sort(),
    );
    const byCallId = await search(db, { callid: `opt-1-*`, limit: '1000' });
    expect(byCallId.rows.every((r) => r.callid.startsWith('opt-1-'))).toBe(true);
    expect(byCallId.rows.length).toBeGreaterThan(0);
    expect((await search(db, { callid: `opt-_-*` })).rows).toHaveLength(0); // _ is no wildcard
    expect((await search(db, { callid: `%*` })).rows).toHaveLength(0);
  });

  it('refuses an IP filter that is not an IP address with 400 naming the field', async () => {
    const r = await get(db, '/api/search?source_ip=10.0.0.300');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'source_ip', message: expect.stringMatching(/not an IP address/) });
    expect((await get(db, '/api/calls?destination_ip=bob')).status).toBe(400);
  });

  it('shows a call with its legs linked through callid_aleg and correlation_id, from any leg', async () => {
    const legs = callMessages(ids.a, ids.b, ids.d);
    for (const [callid, at] of [
      [ids.a, data.t0],
      [ids.b, undefined],
      [ids.d, data.t0 + 40],
    ] as const) {
      const call = await json<CallJson>(db, `/api/call/${encodeURIComponent(callid)}${at ? `?at=${at}` : ''}`);
      expect(call.callids[0]).toBe(callid);
      expect([...call.callids].sort()).toEqual([ids.a, ids.b, ids.d].sort());
      expect(call.truncated).toBe(false);
      // Every message of the three legs, in capture order, bytes as sent.
      expect(call.messages.map((m) => m.micro_ts)).toEqual(legs.map((m) => String(m.tsMicros)));
      call.messages.forEach((m, i) => {
        expect(Buffer.from(m.msg, 'base64').equals(legs[i].payload)).toBe(true);
        expect([m.source_ip, m.source_port, m.destination_ip, m.destination_port, m.proto]).toEqual([
          legs[i].srcIp,
          legs[i].srcPort,
          legs[i].dstIp,
          legs[i].dstPort,
          legs[i].tcp ? 2 : 1,
        ]);
      });
    }
    const single = await json<CallJson>(db, `/api/call/${encodeURIComponent(ids.e)}`);
    expect(single.callids).toEqual([ids.e]);
    expect(single.messages).toHaveLength(3);
    expect((await get(db, `/api/call/nobody-${RUN}`)).status).toBe(404);
  });

  it('exports a call as text: a header line per message, then the message', async () => {
    const r = await get(db, `/api/call/${encodeURIComponent(ids.a)}/text?at=${data.t0}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await r.text();
    const legs = callMessages(ids.a, ids.b, ids.d);
    const headers = text.split('\n').filter((l) => / -> .* (UDP|TCP)$/.test(l));
    expect(headers).toHaveLength(legs.length);
    headers.forEach((line, i) => {
      const m = legs[i];
      expect(line).toBe(`${isoOf(m).replace('T', ' ')}123 ${m.srcIp}:${m.srcPort} -> ${m.dstIp}:${m.dstPort} ${m.tcp ? 'TCP' : 'UDP'}`);
    });
    for (const m of legs) expect(text).toContain(m.payload.toString());
  });

  it.each([
    ['the three-leg call (UDP and TCP, Ethernet)', () => ids.a, '', () => callMessages(ids.a, ids.b, ids.d)],
    ['the IPv6 call (raw IP)', () => ids.e, '&linktype=raw', () => callMessages(ids.e)],
  ])('exports %s as a pcap in which tshark finds every message as SIP with its Call-ID', async (_name, callid, extra, expected) => {
    const r = await get(db, `/api/call/${encodeURIComponent(callid())}/pcap?at=${data.t0 + 30_000}${extra}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/vnd.tcpdump.pcap');
    const file = join(tmp, `${db}-${randomBytes(3).toString('hex')}.pcap`);
    writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    const out = execFileSync(
      'tshark',
      ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID', '-e', 'sip.Method', '-e', 'sip.Status-Code'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const lines = out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const want = expected();
    expect(lines).toHaveLength(want.length);
    lines.forEach(([cid, method, status], i) => {
      expect(cid).toBe(want[i].callid);
      const start = want[i].payload.toString().split(' ');
      if (start[0] === 'SIP/2.0') expect(status).toBe(start[1]);
      else expect(method).toBe(start[0]);
    });
  });
});

describe('web access', () => {
  it('refuses to listen beyond loopback without WEB_AUTH_TOKEN: one line naming it, exit 2', async () => {
    const agent = startAgent('web', { DB_URL: DB_URLS.postgres, WEB_LISTEN: '0.0.0.0:1' });
    const exit = await agent.exited;
    expect(exit.code).toBe(2);
    const out = agent.output().trim();
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^web: .*WEB_AUTH_TOKEN/);
  });

  it('with WEB_AUTH_TOKEN, answers the API only with the bearer token', async () => {
    const url = await startWeb('postgres', { WEB_AUTH_TOKEN: TOKEN });
    const path = `/api/search?callid=${encodeURIComponent(ids.a)}&from=${data.t0 - 1000}&to=${data.t0 + 10_000}`;
    expect((await fetch(url + path)).status).toBe(401);
    expect((await fetch(url + path, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
    const ok = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Search).rows).toHaveLength(callMessages(ids.a).length);
    const page = await fetch(url + '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
  });
});
