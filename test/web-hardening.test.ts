// The web app attacked as issue 13 describes, against the running app on PostgreSQL and MariaDB: the
// token skipped by encoded paths, DNS rebinding in loopback mode, searches that scan whole tables, a
// query that never ends, request floods, exports of any size. Rows are the web test calls written
// straight into `sip_capture` with the store (the pipeline itself is covered by web-api.test.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase, openStore, TableRouter } from '@sipcap/store';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { toRecord, webDataSet } from './support/web-calls';
import { storeRows } from './store-fixtures';

const RUN = randomBytes(4).toString('hex');
const DB_NAME = `sipcap_webhard_${RUN}`;
const DB_URLS = { postgres: `postgres://postgres@127.0.0.1:5432/${DB_NAME}`, mysql: `mysql://root@127.0.0.1:3306/${DB_NAME}` } as const;
type Db = keyof typeof DB_URLS;
const DBS = Object.keys(DB_URLS) as Db[];
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const data = webDataSet(RUN, Date.now());
const { ids, users } = data;
const tmp = mkdtempSync(join(tmpdir(), 'sipcap-webhard-'));
const procs: AgentProcess[] = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with the path sent exactly as written (fetch would normalise dots and some escapes). */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), path, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function startWeb(db: Db, extra: Record<string, string> = {}): Promise<string> {
  const port = await freeTcpUdpPort();
  const agent = startAgent('web', { DB_URL: DB_URLS[db], TABLE_NAME: 'sip_capture', WEB_LISTEN: `127.0.0.1:${port}`, ...extra });
  procs.push(agent);
  await agent.waitForLog('web listening');
  return `http://127.0.0.1:${port}`;
}

/** `slow_capture`: the capture table behind a view that sleeps, so any search on it outlasts the timeout. */
async function createSlowView(db: Db): Promise<void> {
  if (db === 'postgres') {
    const c = new pg.Client({ connectionString: DB_URLS.postgres });
    await c.connect();
    await c.query(`CREATE VIEW slow_capture AS SELECT s.* FROM sip_capture s WHERE (SELECT count(*) FROM pg_sleep(60)) = 1`);
    await c.end();
  } else {
    const c = await mysql.createConnection({ uri: DB_URLS.mysql });
    await c.query('CREATE VIEW slow_capture AS SELECT * FROM sip_capture WHERE SLEEP(2) = 0');
    await c.end();
  }
}

/** Statements on slow_capture still running in the database. */
async function runningSlowQueries(db: Db): Promise<number> {
  if (db === 'postgres') {
    const c = new pg.Client({ connectionString: DB_URLS.postgres });
    await c.connect();
    const r = await c.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slow_capture%' AND pid <> pg_backend_pid()`,
    );
    await c.end();
    return r.rows[0].n;
  }
  const c = await mysql.createConnection({ uri: DB_URLS.mysql });
  const [rows] = await c.query(
    `SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%slow_capture%' AND ID <> CONNECTION_ID()`,
  );
  await c.end();
  return Number((rows as { n: number }[])[0].n);
}

beforeAll(async () => {
  buildApp('web');
  const records = data.messages.map((m) => toRecord(m, data.node));
  const router = new TableRouter({ tableName: 'sip_capture' });
  for (const db of DBS) {
    await ensureDatabase(DB_URLS[db]);
    const store = await openStore(DB_URLS[db]);
    await storeRows(
      store,
      records.map((record) => ({ table: router.route(record), record })),
    );
    await store.close();
    await createSlowView(db);
  }
}, 120_000);

afterAll(async () => {
  for (const p of procs) await p.stop();
  const pgAdmin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await pgAdmin.connect();
  await pgAdmin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  await pgAdmin.end();
  const my = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
  await my.query(`DROP DATABASE IF EXISTS \`${DB_NAME}\``);
  await my.end();
  rmSync(tmp, { recursive: true, force: true });
});

const a = encodeURIComponent(ids.a);
/** Spellings of API paths that the old URL-prefix check let through, or that a router might normalise. */
const SNEAKY = [
  `/%61pi/search?callid=${a}`,
  `/ap%69/search?callid=${a}`,
  `/api/%73earch?callid=${a}`,
  `/%2561pi/search?callid=${a}`,
  `/api%2Fsearch?callid=${a}`,
  `/api/search/?callid=${a}`,
  `/api/search.?callid=${a}`,
  `/api/search./?callid=${a}`,
  `/API/search?callid=${a}`,
  `/Api/Search?callid=${a}`,
  `/api//search?callid=${a}`,
  `//api/search?callid=${a}`,
  `/./api/search?callid=${a}`,
  `/page/../api/search?callid=${a}`,
  `/page/%2e%2e/api/search?callid=${a}`,
  `/api/search%00?callid=${a}`,
  `/api/search;x?callid=${a}`,
  `/%61pi/call/${a}`,
  `/%61pi/call/${a}/pcap`,
  `/ap%69/call/${a}/pcap`,
  `/api/call/${a}/%70cap`,
  `/api/call/${a}%2Fpcap`,
  `/api/call/${a}/PCAP`,
  `/api/call/${a}/pcap/`,
  `/%61pi/call/${a}/text`,
  `/ap%69/call/${a}/text`,
  `/api/call/${a}/%74ext`,
  `/api/call/${a}/text.`,
  `/api/call/${a}/reports`,
  `/api/calls`,
  `/api/calls?callid=${a}`,
  `/%61pi/calls`,
  `/api/%63alls`,
  `/api/calls/`,
  `/API/calls`,
];

describe('web: authentication on the matched route', () => {
  let base = '';
  beforeAll(async () => {
    base = await startWeb('postgres', { WEB_AUTH_TOKEN: TOKEN });
  });

  it('answers 401, never data, to every spelling of an API path without the token (GET and HEAD)', async () => {
    for (const path of ['/api/search', ...SNEAKY]) {
      for (const method of ['GET', 'HEAD']) {
        const r = await raw(base, path, {}, method);
        expect([401, 404], `${method} ${path}: ${r.status}`).toContain(r.status);
        expect(r.body.toString(), `${method} ${path}`).not.toContain(ids.a);
        expect(r.body.includes(Buffer.from('INVITE sip:')), `${method} ${path}`).toBe(false);
      }
    }
  });

  it('with the token, the encoded spellings reach their routes (they are the same routes)', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const s = await raw(base, `/%61pi/search?callid=${a}`, auth);
    expect(s.status).toBe(200);
    expect(JSON.parse(s.body.toString()).rows.length).toBeGreaterThan(0);
    expect((await raw(base, `/ap%69/call/${a}/pcap`, auth)).status).toBe(200);
    expect((await raw(base, `/%61pi/call/${a}/text`, auth)).body.toString()).toContain(`Call-ID: ${ids.a}`);
    expect((await raw(base, `/%61pi/search?callid=${a}`, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
  });

  it('serves the page itself without the token (it holds no captured data), and nothing else', async () => {
    const page = await raw(base, '/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<html');
    expect((await raw(base, '/page/main.js')).status).toBe(200);
    expect((await raw(base, '/page/nothing.js')).status).toBe(401);
    expect((await raw(base, '/nothing')).status).toBe(401);
  });
});

describe('web: loopback mode without a token (DNS rebinding)', () => {
  let base = '';
  beforeAll(async () => {
    base = await startWeb('postgres');
  });

  it('refuses a forged Host with 403, answers a loopback one', async () => {
    for (const host of [
      'evil.example',
      `rebind.evil.example:${new URL(base).port}`,
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '192.0.2.1',
    ]) {
      for (const path of ['/', `/api/search?callid=${a}`, `/api/call/${a}/pcap`]) {
        const r = await raw(base, path, { host });
        expect(r.status, `${host} ${path}`).toBe(403);
        expect(r.body.toString()).not.toContain(ids.a);
      }
    }
    for (const host of [new URL(base).host, `localhost:${new URL(base).port}`, `[::1]:${new URL(base).port}`]) {
      expect((await raw(base, `/api/search?callid=${a}`, { host })).status, host).toBe(200);
    }
  });
});

describe.each(DBS)('web on %s: query cost', (db) => {
  it('refuses a search over WEB_SEARCH_MAX_RANGE_S without an indexed filter, naming the columns; takes it with one', async () => {
    const base = await startWeb(db, { WEB_SEARCH_MAX_RANGE_S: '3600' });
    const range = `from=${data.t0 - 2 * 3_600_000}&to=${data.t0 + 3_600_000}`;
    const wide = await raw(base, `/api/search?${range}&method=INVITE`);
    expect(wide.status).toBe(400);
    const err = JSON.parse(wide.body.toString());
    expect(err).toMatchObject({ error: 'bad_request', field: 'from' });
    expect(err.message).toBe(
      'a time range over 1 h (WEB_SEARCH_MAX_RANGE_S) needs an exact filter (not a prefix) on an indexed column: callid, from_user, to_user, ruri_user, pid_user, auth_user',
    );
    const filtered = await raw(base, `/api/search?${range}&method=INVITE&from_user=${users.alice}`);
    expect(filtered.status).toBe(200);
    expect(JSON.parse(filtered.body.toString()).rows.map((r: { callid: string }) => r.callid)).toEqual([ids.a]);
    expect((await raw(base, `/api/search?method=INVITE&from=${data.t0 - 60_000}&to=${data.t0 + 3_000_000}`)).status).toBe(200);
    // The calls view follows the same rule; a prefix is no exact filter.
    expect((await raw(base, `/api/calls?${range}`)).status).toBe(400);
    expect((await raw(base, `/api/calls?${range}&from_user=${users.alice.slice(0, 4)}*`)).status).toBe(400);
    expect(
      JSON.parse((await raw(base, `/api/calls?${range}&from_user=${users.alice}`)).body.toString()).calls.map(
        (c: { callid: string }) => c.callid,
      ),
    ).toEqual([ids.a]);
  });

  it('a query outlasting WEB_QUERY_TIMEOUT_MS is stopped by the database server and answered 504, saying what to do', async () => {
    const base = await startWeb(db, { TABLE_NAME: 'slow_capture', WEB_QUERY_TIMEOUT_MS: '500' });
    const t = Date.now();
    const r = await raw(base, `/api/search?method=INVITE&from=${data.t0 - 60_000}&to=${data.t0 + 600_000}`);
    const took = Date.now() - t;
    expect(r.status, r.body.toString()).toBe(504);
    const err = JSON.parse(r.body.toString());
    expect(err.error).toBe('query_timeout');
    expect(err.message).toContain('the database stopped the query after 500 ms (WEB_QUERY_TIMEOUT_MS)');
    expect(err.message).toContain('filter on an indexed column');
    // The view sleeps 60 s (PostgreSQL) or 2 s per row (MariaDB): only the server's timeout answers this fast,
    // and nothing of it keeps running in the database.
    expect(took).toBeLessThan(10_000);
    expect(await runningSlowQueries(db)).toBe(0);
    const web = procs[procs.length - 1];
    expect(await web.metric('sipcap_web_refused_total', '{reason="query_timeout"}')).toBe(1);
    // The session keeps working for the next query.
    const again = await raw(base, `/api/search?method=INVITE&from=${data.t0 - 60_000}&to=${data.t0 + 600_000}`);
    expect(again.status).toBe(504);
  }, 60_000);
});

describe('web: per-client rate limit', () => {
  it('answers 429 with Retry-After beyond WEB_RATE_LIMIT_MAX in the window, token failures counted', async () => {
    const base = await startWeb('postgres', { WEB_AUTH_TOKEN: TOKEN, WEB_RATE_LIMIT_MAX: '5', WEB_RATE_LIMIT_WINDOW_S: '60' });
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (let i = 0; i < 3; i++) expect((await raw(base, `/api/search?callid=${a}`, auth)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await raw(base, `/api/search?callid=${a}`, { authorization: `Bearer wrong-${i}-token-xxxxxxxx` })).status).toBe(401);
    const over = await raw(base, `/api/search?callid=${a}`, auth);
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body.toString()).error).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await raw(base, '/')).status).toBe(429);
    const web = procs[procs.length - 1];
    expect(await web.metric('sipcap_web_refused_total', '{reason="rate_limit"}')).toBeGreaterThanOrEqual(2);
  });
});

describe.each(DBS)('web on %s: exports streamed with a byte cap', (db) => {
  const CAP = 4096;
  let full = '';
  let capped = '';
  beforeAll(async () => {
    full = await startWeb(db);
    capped = await startWeb(db, { WEB_EXPORT_MAX_BYTES: String(CAP) });
  });

  it('cuts the pcap at a whole packet within the cap: tshark reads every packet of it', async () => {
    const whole = await raw(full, `/api/call/${a}/pcap?at=${data.t0}`);
    const cut = await raw(capped, `/api/call/${a}/pcap?at=${data.t0}`);
    expect(whole.status).toBe(200);
    expect(cut.status).toBe(200);
    expect(whole.body.length).toBeGreaterThan(CAP);
    expect(cut.body.length).toBeLessThanOrEqual(CAP);
    expect(cut.body.length).toBeGreaterThan(CAP - 1600);
    // The cut file is the whole one's first bytes, ending on a record boundary.
    expect(whole.body.subarray(0, cut.body.length).equals(cut.body)).toBe(true);
    const file = join(tmp, `cut-${db}.pcap`);
    writeFileSync(file, cut.body);
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lens = out.trim().split('\n').map(Number);
    expect(24 + lens.reduce((s, n) => s + 16 + n, 0)).toBe(cut.body.length);
    const fullFile = join(tmp, `full-${db}.pcap`);
    writeFileSync(fullFile, whole.body);
    const all = execFileSync('tshark', ['-r', fullFile], { encoding: 'utf8' }).trim().split('\n');
    expect(lens.length).toBeGreaterThan(0);
    expect(lens.length).toBeLessThan(all.length);
    const web = procs[procs.length - 1];
    expect(await web.metric('sipcap_web_exports_cut_total', '{format="pcap"}')).toBe(1);
  });

  it('cuts the text at a whole message within the cap and says so on its last line', async () => {
    const whole = (await raw(full, `/api/call/${a}/text?at=${data.t0}`)).body;
    const cut = (await raw(capped, `/api/call/${a}/text?at=${data.t0}`)).body;
    expect(whole.length).toBeGreaterThan(CAP);
    expect(cut.length).toBeLessThanOrEqual(CAP);
    const note = `[sipcap: export cut here at WEB_EXPORT_MAX_BYTES=${CAP}; the rest of the call is not included]\n`;
    expect(cut.toString().endsWith(note)).toBe(true);
    const body = cut.subarray(0, cut.length - Buffer.byteLength(note));
    expect(whole.subarray(0, body.length).equals(body)).toBe(true);
    // It ends where the next message's header line starts in the whole text.
    expect(whole.subarray(body.length).toString()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \S+ -> \S+ (UDP|TCP)\n/);
  });
});
