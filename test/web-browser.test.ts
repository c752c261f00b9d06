// The web page in a real browser: Debian's Chromium driven by playwright-core, against the built web
// app reading a PostgreSQL database holding the test calls (records derived by the agents' own code and
// written by the store). Opens on the latest calls, keeps the search in the address, searches by prefix,
// shows a bad filter's message next to it, searches by Call-ID, opens the call, checks the ladder against
// the API, shows a message, downloads the pcap, and makes sure captured markup stays text. The ladder's
// screenshot is kept in test-results/ladder.png (the whole call view in call-view.png, the front door in
// front-door.png).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase, openStore, TableRouter } from '@sipcap/store';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { EVIL_HEADER, toRecord, webDataSet } from './support/web-calls';
import { storeRows } from './store-fixtures';

const RUN = randomBytes(4).toString('hex');
const DB_NAME = `sipcap_webui_${RUN}`;
const DB_URL = `postgres://postgres@127.0.0.1:5432/${DB_NAME}`;
const TABLE_NAME = 'sip_capture_%Y%m%d';
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const data = webDataSet(RUN, Date.now());
const { ids } = data;

/** Address names, as the stats app reads them: call A's proxy by itself, its other addresses by their /29. */
const PEERS = 'proxy=10.1.0.2,lab=10.1.0.0/29,elsewhere=192.0.2.0/24';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const procs: AgentProcess[] = [];
let browser: Browser;
let base = '';

async function startWeb(extra: Record<string, string> = {}): Promise<string> {
  const port = await freeTcpUdpPort();
  const agent = startAgent('web', { DB_URL, TABLE_NAME, WEB_LISTEN: `127.0.0.1:${port}`, ...extra });
  procs.push(agent);
  await agent.waitForLog('web listening');
  return `http://127.0.0.1:${port}`;
}

/** A fresh page that records script errors and any request leaving the app's origin. */
async function newPage(): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1700, height: 1000 } });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:') && !r.url().startsWith('blob:')) foreign.push(r.url());
  });
  return { page, errors, foreign };
}

const utcInput = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** Searches the messages of one Call-ID (the messages view). */
async function searchCallId(page: Page, callid: string): Promise<void> {
  await page.fill('#from', utcInput(data.t0 - 60_000));
  await page.fill('#to', utcInput(data.t0 + 10 * 60_000));
  await page.fill('#f-callid', callid);
  await page.click('#view-messages');
  await page.waitForSelector('#results-body tr');
}

/** The calls view's lines: Call-ID, duration, status, legs, messages. */
async function callLines(
  page: Page,
): Promise<{ callid: string; duration: string; status: string; legs: string; messages: string; from: string }[]> {
  return page.$$eval('#calls-body tr', (trs) =>
    trs.map((tr) => ({
      callid: tr.getAttribute('data-callid')!,
      duration: tr.querySelector('.duration')!.textContent!,
      status: tr.querySelector('.status-code')!.textContent!,
      legs: tr.querySelector('.legs-count')!.textContent!,
      messages: tr.querySelector('.messages-count')!.textContent!,
      from: tr.querySelector('.from')!.textContent!,
    })),
  );
}

beforeAll(async () => {
  buildApp('web');
  await ensureDatabase(DB_URL);
  const store = await openStore(DB_URL);
  const router = new TableRouter({ tableName: TABLE_NAME });
  const records = data.messages.map((m) => toRecord(m, data.node));
  await storeRows(
    store,
    records.map((record) => ({ table: router.route(record), record })),
  );
  await store.close();
  base = await startWeb({ STATS_PEERS: PEERS });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs) await p.stop();
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  await admin.end();
});

interface ApiMessage {
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  method: string;
  msg: string;
}
const endpoint = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

describe('web page in Chromium', () => {
  it('opens on the calls of the last hour: each sample call once, with its duration, final status and legs', async () => {
    const { page, errors, foreign } = await newPage();
    await page.goto(base + '/');
    await page.waitForSelector('#calls-body tr');
    const lines = await callLines(page);
    const byId = (id: string) => lines.filter((l) => l.callid === id);
    expect(byId(ids.a)).toEqual([
      {
        callid: ids.a,
        duration: '5.030 s',
        status: '200',
        legs: '3',
        messages: String(data.messages.filter((m) => [ids.a, ids.b, ids.d].includes(m.callid)).length),
        from: data.users.alice,
      },
    ]);
    expect(byId(ids.e)).toMatchObject([{ status: '486', legs: '1', messages: '3' }]);
    expect(byId(ids.b)).toEqual([]); // a leg of A, not a call of its own
    expect(byId(ids.d)).toEqual([]);
    expect(new Set(lines.map((l) => l.callid)).size).toBe(lines.length);
    expect(await page.$eval('#search-range', (e) => e.textContent)).toMatch(/searched \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to .* UTC/);
    expect(page.url()).toBe(`${base}/`);
    expect((await fetch(`${base}/page/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/front-door.png', fullPage: true });

    // The three legs of A, each its own colour; the named addresses (STATS_PEERS) under their columns.
    await page.click(`#calls-body tr[data-callid="${ids.a}"] .open-call`);
    await page.waitForSelector('svg.ladder g.arrow');
    const named = await page.$$eval('svg.ladder .column-name', (ts) => ts.map((t) => t.textContent));
    // 10.1.0.2 (three ports) is proxy by its own entry, the longest prefix; alice, bob, the recorder fall in the /29.
    expect(named.sort()).toEqual(['lab', 'lab', 'lab', 'proxy', 'proxy', 'proxy']);
    const colours = await page.$$eval('.legs .swatch', (ss) => ss.map((e) => (e as HTMLElement).style.backgroundColor));
    expect(colours).toHaveLength(3);
    expect(new Set(colours).size).toBe(3);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('keeps the search in the address: it survives a reload, and Back returns to the previous one', async () => {
    const { page, errors } = await newPage();
    await page.goto(base + '/');
    await page.waitForSelector('#calls-body tr');
    const all = (await callLines(page)).length;
    await page.fill('input[name="from_user"]', data.users.alice);
    await page.click('#search-button');
    await page.waitForFunction(() => document.querySelectorAll('#calls-body tr').length === 1);
    expect(new URL(page.url()).searchParams.get('from_user')).toBe(data.users.alice);

    await page.reload();
    await page.waitForSelector('#calls-body tr');
    expect(await page.inputValue('input[name="from_user"]')).toBe(data.users.alice);
    expect((await callLines(page)).map((l) => l.callid)).toEqual([ids.a]);

    await page.click('#view-messages');
    await page.waitForSelector('#results-body tr');
    expect(new URL(page.url()).searchParams.get('view')).toBe('messages');
    await page.goBack();
    await page.waitForSelector('#calls:not([hidden])');
    expect((await callLines(page)).map((l) => l.callid)).toEqual([ids.a]);
    await page.goBack();
    await page.waitForFunction((n) => document.querySelectorAll('#calls-body tr').length === n, all);
    expect(await page.inputValue('input[name="from_user"]')).toBe('');
    expect(page.url()).toBe(`${base}/`);

    expect(errors).toEqual([]);
    await page.close();

    // A shared address with the browser's zone shows the times in it (this browser: Tokyo, UTC+09:00).
    const tokyo = await browser.newPage({ timezoneId: 'Asia/Tokyo' });
    await tokyo.goto(`${base}/?tz=local&callid=${encodeURIComponent(ids.e)}`);
    await tokyo.waitForSelector('#calls-body tr');
    expect(await tokyo.inputValue('#tz')).toBe('local');
    expect(await tokyo.$eval('#calls .time-head', (e) => e.textContent)).toBe('Start (Asia/Tokyo)');
    const shown = await tokyo.$eval('#calls-body tr td', (e) => e.textContent!);
    const startUtc = new Date(Number(data.messages.find((m) => m.callid === ids.e)!.tsMicros / 1000n) + 9 * 3_600_000)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 23);
    expect(shown.slice(0, 23)).toBe(startUtc);
    await tokyo.close();
  });

  it('searches users and Call-IDs by prefix (trailing *)', async () => {
    const { page } = await newPage();
    await page.goto(base + '/');
    await page.fill('input[name="from_user"]', `${data.users.alice.slice(0, -3)}*`);
    await page.click('#search-button');
    await page.waitForFunction(() => document.querySelectorAll('#calls-body tr').length === 1);
    expect((await callLines(page)).map((l) => l.callid)).toEqual([ids.a]);
    await page.fill('input[name="from_user"]', '');
    await page.fill('#f-callid', 'opt-1*');
    await page.click('#search-button');
    await page.waitForFunction(() => document.querySelectorAll('#calls-body tr').length === 11); // opt-1 and opt-10..19
    expect((await callLines(page)).every((l) => l.callid.startsWith('opt-1'))).toBe(true);
    await page.close();
  });

  it("shows a bad IP filter's message next to the field", async () => {
    const { page } = await newPage();
    await page.goto(base + '/');
    await page.waitForSelector('#calls-body tr');
    await page.fill('input[name="source_ip"]', '10.0.0.300');
    await page.click('#search-button');
    await page.waitForSelector('#error-source_ip');
    expect(await page.$eval('#error-source_ip', (e) => e.textContent)).toBe('not an IP address: 10.0.0.300');
    expect(await page.getAttribute('input[name="source_ip"]', 'aria-invalid')).toBe('true');
    expect(await page.isHidden('#error')).toBe(true);
    await page.fill('input[name="source_ip"]', '10.1.0.4');
    await page.click('#search-button');
    await page.waitForSelector('#error-source_ip', { state: 'detached' });
    await page.close();
  });

  it('keeps the Search button label readable under the pointer', async () => {
    const { page } = await newPage();
    await page.goto(base + '/');
    await page.waitForSelector('#calls-body tr');
    await page.click('#search-button');
    await page.hover('#search-button');
    const look = await page.$eval('#search-button', (b) => {
      const st = getComputedStyle(b);
      return { text: b.textContent, color: st.color, background: st.backgroundColor };
    });
    expect(look.text).toBe('Search');
    expect(look.color).toBe('rgb(255, 255, 255)');
    expect(look.background).not.toBe(look.color);
    await page.close();
  });

  it('searches by Call-ID, opens the call, draws one arrow per message between the right columns, and shows a clicked message', async () => {
    const { page, errors, foreign } = await newPage();
    await page.goto(base + '/');
    await searchCallId(page, ids.a);
    const rows = await page.$$eval('#results-body tr', (trs) => trs.map((tr) => tr.querySelector('.open-call')!.textContent));
    expect(rows).toHaveLength(data.messages.filter((m) => m.callid === ids.a).length);
    expect(new Set(rows)).toEqual(new Set([ids.a]));

    await page.click('#results-body tr:last-child .open-call');
    await page.waitForSelector('svg.ladder g.arrow');
    const call = (await (await fetch(`${base}/api/call/${encodeURIComponent(ids.a)}?at=${data.t0}`)).json()) as { messages: ApiMessage[] };
    expect(call.messages).toHaveLength(16);

    const drawn = await page.$$eval('svg.ladder g.arrow', (gs) =>
      gs.map((g) => ({
        index: Number(g.getAttribute('data-index')),
        src: g.getAttribute('data-src'),
        dst: g.getAttribute('data-dst'),
        x1: Number(g.querySelector('.shaft')!.getAttribute('x1')),
        x2: Number(g.querySelector('.shaft')!.getAttribute('x2')),
        y: Number(g.querySelector('.shaft')!.getAttribute('y1')),
        label: g.querySelector('.label')!.textContent,
        offset: g.querySelector('.offset')!.textContent,
      })),
    );
    const columns = Object.fromEntries(
      await page.$$eval('svg.ladder .column-label', (ts) =>
        ts.map((t) => [t.getAttribute('data-endpoint')!, Number(t.getAttribute('x'))] as [string, number]),
      ),
    );
    const endpoints = new Set(
      call.messages.flatMap((m) => [endpoint(m.source_ip, m.source_port), endpoint(m.destination_ip, m.destination_port)]),
    );
    expect(new Set(Object.keys(columns))).toEqual(endpoints);
    expect(drawn).toHaveLength(call.messages.length);
    drawn.forEach((a, i) => {
      const m = call.messages[i];
      expect(a.index).toBe(i);
      expect([a.src, a.dst]).toEqual([endpoint(m.source_ip, m.source_port), endpoint(m.destination_ip, m.destination_port)]);
      expect(a.x1).toBe(columns[a.src!]);
      expect(a.x2).toBe(columns[a.dst!]);
      expect(a.label!.startsWith(m.method)).toBe(true);
      expect(a.offset).toMatch(/^\+\d+\.\d{3} s$/);
      if (i > 0) expect(a.y).toBeGreaterThan(drawn[i - 1].y);
    });
    expect(drawn[0].offset).toBe('+0.000 s');
    expect(drawn[15].offset).toBe('+5.030 s');

    // The B-leg INVITE (third message): its whole text, headers apart from the body.
    await page.click('svg.ladder g.arrow[data-index="2"]');
    await page.waitForSelector('#message .sip-start');
    const shown = await page.$eval('#message', (e) => ({
      start: e.querySelector('.sip-start')!.textContent,
      headers: Array.from(e.querySelectorAll('.sip-header')).map((h) => h.textContent),
      body: e.querySelector('.sip-body')?.textContent,
    }));
    const sentText = Buffer.from(call.messages[2].msg, 'base64').toString();
    const [head, body] = sentText.split('\r\n\r\n');
    const [startLine, ...headerLines] = head.split('\r\n');
    expect(shown.start).toBe(startLine);
    expect(shown.headers).toEqual(headerLines);
    expect(shown.body).toBe(body);
    expect(shown.headers).toContain(`X-CID: ${ids.a}`);
    expect(await page.$eval('svg.ladder g.arrow[data-index="2"]', (g) => g.classList.contains('selected'))).toBe(true);

    mkdirSync('test-results', { recursive: true });
    await page.locator('#ladder').screenshot({ path: 'test-results/ladder.png' });
    await page.screenshot({ path: 'test-results/call-view.png', fullPage: true });

    const download = page.waitForEvent('download');
    await page.click('#download-pcap');
    const file = await (await download).path();
    expect(readFileSync(file!).readUInt32LE(0)).toBe(0xa1b2c3d4);

    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('shows captured markup as text and never runs it', async () => {
    const { page, errors } = await newPage();
    await page.goto(base + '/');
    await searchCallId(page, ids.evil);
    expect(await page.$eval('#results-body .open-call', (b) => b.textContent)).toBe(ids.evil);
    expect(await page.$$('#results-body b')).toHaveLength(0);
    await page.click('#results-body .open-call');
    await page.waitForSelector('svg.ladder g.arrow');
    expect(await page.$eval('#call-title', (e) => e.textContent)).toBe(`Call ${ids.evil}`);
    await page.click('svg.ladder g.arrow[data-index="0"]');
    await page.waitForSelector('#message .sip-header');
    const headers = await page.$$eval('#message .sip-header', (hs) => hs.map((h) => h.textContent));
    expect(headers).toContain(`X-Evil: ${EVIL_HEADER}`);
    expect(headers).toContain('User-Agent: <img src=x onerror="window.__pwned=2">');
    expect(await page.$$('#message script, #message img, #message b, body script:not([src])')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with WEB_AUTH_TOKEN, takes ?token= once, or asks for the token, and keeps it for the tab', async () => {
    const url = await startWeb({ WEB_AUTH_TOKEN: TOKEN });
    const { page } = await newPage();
    await page.goto(`${url}/?token=${TOKEN}`);
    expect(page.url()).toBe(`${url}/`); // the token left the address bar
    await searchCallId(page, ids.e);
    expect(await page.$$('#results-body tr')).toHaveLength(3);
    expect(await page.evaluate(() => sessionStorage.getItem('sipcap.token'))).toBe(TOKEN);

    const asked = await browser.newPage();
    await asked.goto(`${url}/`);
    await asked.fill('#f-callid', ids.e);
    await asked.fill('#from', utcInput(data.t0));
    await asked.click('#view-messages');
    await asked.waitForSelector('#token-dialog:not([hidden])');
    await asked.fill('#token-input', TOKEN);
    await asked.click('#token-form button');
    await asked.waitForSelector('#results-body tr');
    expect(await asked.$$('#results-body tr')).toHaveLength(3);
    await page.close();
    await asked.close();
  });
});
