// How fast the web app answers over a big table: a search by Call-ID and the call view, through HTTP.
//   npx esbuild bench/web.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/web.js --log-level=warning && node dist/bench/web.js [rows] [hours]
// Needs PostgreSQL on 127.0.0.1:5432 (user postgres). Filling takes about a minute; timing a few seconds.
//
// A throw-away database gets one `sip_capture` table (the store's own DDL, indexes built after the fill)
// with `rows` rows (default 1,000,000) made in SQL by INSERT ... SELECT generate_series: calls of 10
// messages (INVITE, 100, 180, 200, ACK, INFO, 200, BYE, 200, NOTIFY; so 100,000 Call-IDs for a million
// rows), one call starting every (hours * 3600 / calls) seconds over the last `hours` hours (default 24),
// ~330-byte SIP texts, 50,000 distinct callers, every 4th call a B-leg linked to the previous call by
// callid_aleg. Then the built web app (dist/apps/web) is started on it and asked, through HTTP, for 20
// searches by Call-ID, 20 call views (each a different random call) and 20 calls views (the page's front
// door, and by caller); the medians are the figures.
// The database is dropped at the end (KEEP_DB=1 keeps it).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pgCreateTable } from '@sipcap/store';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const HOURS = Number(process.argv[3] ?? 24);
const RUNS = 20;
const SERVER = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const DB = `sipcap_bench_web_${randomBytes(3).toString('hex')}`;
const DB_URL = `${SERVER}/${DB}`;
const CALL_SIZE = 10;

const say = (s: string) => console.log(`[bench web] ${s}`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function stats(ms: number[]): { median: number; p90: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2, p90: at(0.9), min: s[0], max: s[s.length - 1] };
}

const fmt = (x: number) => x.toFixed(1);

/** The fill: every value derived from the row number in SQL, so a million rows take one statement. */
function fillSql(startMicros: bigint, spacingMicros: bigint): string {
  const callid = (call: string) => `'bench-' || ${call} || '@' || substr(md5(${call}::text), 1, 12) || '.example'`;
  return `
INSERT INTO sip_capture (date, micro_ts, method, reply_reason, ruri, ruri_user, ruri_domain, from_user, from_domain, from_tag,
  to_user, to_domain, to_tag, pid_user, contact_user, auth_user, callid, callid_aleg, via_1, via_1_branch, cseq, content_type,
  user_agent, source_ip, source_port, destination_ip, destination_port, contact_ip, contact_port, expires, correlation_id,
  proto, family, type, node, msg)
SELECT (to_timestamp(ts / 1000000.0) AT TIME ZONE 'UTC'), ts, method, reason, ruri, callee, 'example.com', caller, 'example.org', 'ft' || call,
  callee, 'example.com', CASE WHEN step = 0 THEN '' ELSE 'tt' || call END, caller, caller, '', cid, aleg,
  'SIP/2.0/UDP ' || caller_ip || ':5060;branch=z9hG4bK' || g, 'z9hG4bK' || g, cseq, CASE WHEN step IN (0, 3) THEN 'application/sdp' ELSE '' END,
  'bench-ua/1.0', CASE WHEN up THEN caller_ip ELSE proxy_ip END, 5060, CASE WHEN up THEN proxy_ip ELSE caller_ip END, 5060,
  caller_ip, 5060, -1, cid, 1, 2, CASE WHEN method ~ '^[0-9]' THEN 2 ELSE 1 END, 'homer01:2001',
  CASE WHEN method ~ '^[0-9]' THEN 'SIP/2.0 ' || method || ' ' || reason ELSE method || ' ' || ruri || ' SIP/2.0' END || E'\\r\\n' ||
  'Via: SIP/2.0/UDP ' || caller_ip || ':5060;branch=z9hG4bK' || g || E'\\r\\n' ||
  'From: <sip:' || caller || E'@example.org>;tag=ft' || call || E'\\r\\n' ||
  'To: <sip:' || callee || '@example.com>' || CASE WHEN step = 0 THEN '' ELSE ';tag=tt' || call END || E'\\r\\n' ||
  'Call-ID: ' || cid || E'\\r\\n' || 'CSeq: ' || cseq || E'\\r\\n' ||
  CASE WHEN aleg <> '' THEN 'X-CID: ' || aleg || E'\\r\\n' ELSE '' END ||
  'Contact: <sip:' || caller || '@' || caller_ip || E':5060>\\r\\nUser-Agent: bench-ua/1.0\\r\\nContent-Length: 0\\r\\n\\r\\n'
FROM (
  SELECT g, call, step, ${startMicros}::bigint + call * ${spacingMicros}::bigint + step * 150000 AS ts,
    (ARRAY['INVITE','100','180','200','ACK','INFO','200','BYE','200','NOTIFY'])[step + 1] AS method,
    (ARRAY['','Trying','Ringing','OK','','','OK','','OK',''])[step + 1] AS reason,
    (ARRAY['1 INVITE','1 INVITE','1 INVITE','1 INVITE','1 ACK','2 INFO','2 INFO','3 BYE','3 BYE','4 NOTIFY'])[step + 1] AS cseq,
    step IN (0, 4, 5, 7, 9) AS up,
    '49' || lpad((call % 50000)::text, 9, '0') AS caller,
    '33' || lpad(((call * 7) % 80000)::text, 9, '0') AS callee,
    'sip:33' || lpad(((call * 7) % 80000)::text, 9, '0') || '@example.com' AS ruri,
    '10.' || (call % 200) || '.' || ((call / 200) % 250) || '.' || (1 + call % 7) AS caller_ip,
    '192.0.2.' || (1 + call % 4) AS proxy_ip,
    ${callid('call')} AS cid,
    CASE WHEN call % 4 = 1 AND step = 0 THEN ${callid('(call - 1)')} ELSE '' END AS aleg
  FROM (SELECT g, g / ${CALL_SIZE} AS call, g % ${CALL_SIZE} AS step FROM generate_series(0, ${ROWS - 1}) g) s
) x`;
}

async function main(): Promise<void> {
  say(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on this machine`,
  );
  execFileSync(process.execPath, ['scripts/build-app.mjs', 'web'], { stdio: 'ignore' });
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${DB}" ENCODING 'UTF8' TEMPLATE template0`);
  const db = new pg.Client({ connectionString: DB_URL });
  await db.connect();
  let web: ReturnType<typeof spawn> | undefined;
  try {
    const [create, comment, ...indexes] = pgCreateTable('sip_capture');
    await db.query(create);
    await db.query(comment);
    const calls = Math.ceil(ROWS / CALL_SIZE);
    const spacing = BigInt(Math.floor((HOURS * 3_600_000_000) / calls));
    const start = BigInt(Date.now() - HOURS * 3_600_000) * 1000n;
    let t = performance.now();
    await db.query(fillSql(start, spacing));
    say(
      `filled ${ROWS.toLocaleString('en')} rows (${calls.toLocaleString('en')} Call-IDs over ${HOURS} h) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    for (const sql of indexes) await db.query(sql);
    await db.query('ANALYZE sip_capture');
    const size = (await db.query(`SELECT pg_size_pretty(pg_total_relation_size('sip_capture')) AS s`)).rows[0].s;
    say(`indexes and ANALYZE in ${((performance.now() - t) / 1000).toFixed(1)} s; table with indexes: ${size}`);

    const port = await freePort();
    web = spawn(process.execPath, ['dist/apps/web/main.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        DB_URL,
        TABLE_NAME: 'sip_capture',
        WEB_LISTEN: `127.0.0.1:${port}`,
        METRICS_PORT: '0',
        METRICS_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (
        await fetch(base + '/').then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error('the web app did not start');
      await new Promise((r) => setTimeout(r, 100));
    }

    const pick = () => Math.floor(Math.random() * calls);
    const wanted = Array.from({ length: RUNS * 3 }, pick);
    const ids = new Map<number, string>();
    const r = await db.query(`SELECT c, 'bench-' || c || '@' || substr(md5(c::text), 1, 12) || '.example' AS id FROM unnest($1::int[]) c`, [
      wanted,
    ]);
    for (const row of r.rows) ids.set(Number(row.c), row.id);
    const callid = (call: number) => ids.get(call)!;
    const timeOf = (call: number) => Number((start + BigInt(call) * spacing) / 1000n);
    const from = Number(start / 1000n) - 60_000;
    const to = Date.now() + 60_000;

    const time = async (url: string, check: (body: unknown) => void): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(base + url);
      const body = await res.json();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
      check(body);
      return ms;
    };

    // One request of each kind first: the connection pool and the table listing get ready.
    await time(`/api/search?callid=${encodeURIComponent(callid(wanted[0]))}&from=${from}&to=${to}`, () => undefined);

    const searches: number[] = [];
    for (const call of wanted.slice(0, RUNS)) {
      searches.push(
        await time(`/api/search?callid=${encodeURIComponent(callid(call))}&from=${from}&to=${to}`, (b) => {
          const n = (b as { rows: unknown[] }).rows.length;
          if (n !== CALL_SIZE) throw new Error(`search by Call-ID found ${n} rows, expected ${CALL_SIZE}`);
        }),
      );
    }
    const views: number[] = [];
    for (const call of wanted.slice(RUNS, 2 * RUNS)) {
      views.push(
        await time(`/api/call/${encodeURIComponent(callid(call))}?at=${timeOf(call)}`, (b) => {
          const n = (b as { messages: unknown[] }).messages.length;
          const linked = call % 4 === 1 || (call + 1) % 4 === 1 ? 2 : 1; // a B-leg, or the A-leg of the next call
          if (n !== CALL_SIZE * linked) throw new Error(`call view of call ${call} has ${n} messages, expected ${CALL_SIZE * linked}`);
        }),
      );
    }
    const viewsNoAt: number[] = [];
    for (const call of wanted.slice(2 * RUNS, 3 * RUNS))
      viewsNoAt.push(await time(`/api/call/${encodeURIComponent(callid(call))}`, () => undefined));
    const lastHour: number[] = [];
    for (let i = 0; i < RUNS; i++) lastHour.push(await time('/api/search', () => undefined));
    // The page's front door: the newest 100 calls of the last hour, grouped by Call-ID in the database.
    const callsLastHour: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      callsLastHour.push(
        await time('/api/calls', (b) => {
          const n = (b as { calls: unknown[] }).calls.length;
          if (n === 0) throw new Error('the calls view of the last hour is empty');
        }),
      );
    }
    const callsByCaller: number[] = [];
    for (const call of wanted.slice(0, RUNS)) {
      const caller = '49' + String(call % 50000).padStart(9, '0');
      callsByCaller.push(
        await time(`/api/calls?from_user=${caller}&from=${from}&to=${to}`, (b) => {
          if ((b as { calls: unknown[] }).calls.length === 0) throw new Error(`no call of caller ${caller}`);
        }),
      );
    }

    const line = (name: string, ms: number[]) => {
      const s = stats(ms);
      say(
        `${name.padEnd(44)} median ${fmt(s.median).padStart(6)} ms   p90 ${fmt(s.p90).padStart(6)} ms   min ${fmt(s.min)} max ${fmt(s.max)}`,
      );
    };
    say(`${RUNS} requests each, through HTTP on 127.0.0.1:`);
    line('search by Call-ID (whole range)', searches);
    line('call view (?at= a message time)', views);
    line('call view (no time: last 7 days)', viewsNoAt);
    line('search, no filter, newest 100 of last hour', lastHour);
    line('calls view, newest 100 calls of last hour', callsLastHour);
    line('calls view by caller (from_user, whole range)', callsByCaller);
    say(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end`,
    );
  } finally {
    web?.kill('SIGTERM');
    await db.end();
    if (process.env.KEEP_DB !== '1') await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
    else say(`kept database ${DB}`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
