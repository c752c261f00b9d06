import { randomBytes } from 'node:crypto';
import { COLUMNS, COLUMN_WIDTH, type CaptureRecord } from '@sipcap/record';
import type { BatchRow, LogLevel, PositionedResult, Store } from '@sipcap/store';

/** A database name of its own for one test run: sipcap_test_<random>. */
export function testDatabaseName(): string {
  return `sipcap_test_${randomBytes(5).toString('hex')}`;
}

// Fixture rows are written the way the writer writes (writePositioned), as messages of a consumer group of
// their own, one per test process, at increasing offsets of partition 0.
const FIXTURE_GROUP = `fixture-${randomBytes(4).toString('hex')}`;
let fixtureOffset = 0n;

/** Stores rows as a fixture: one transaction, as new messages of a fixture partition. */
export function storeRows(store: Pick<Store, 'writePositioned'>, rows: readonly BatchRow[]): Promise<PositionedResult> {
  return store.writePositioned(
    FIXTURE_GROUP,
    'fixture',
    rows.map((r) => ({ partition: 0, offset: fixtureOffset++, table: r.table, record: r.record })),
  );
}

export const micros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

/** A record built by hand with a distinct, non-default value in every column. */
export function fullRecord(overrides: Partial<CaptureRecord> = {}): CaptureRecord {
  const r: CaptureRecord = {
    micro_ts: micros('2024-03-05T07:08:09.123Z') + 456n,
    method: 'INVITE',
    reply_reason: 'Ringing',
    ruri: 'sip:+15551234@gw.example.net;user=phone',
    ruri_user: '+15551234',
    ruri_domain: 'gw.example.net',
    from_user: 'alice',
    from_domain: 'atlanta.example.com',
    from_tag: 'ft-1928301774',
    to_user: 'bob',
    to_domain: 'biloxi.example.com',
    to_tag: 'tt-a6c85cf',
    pid_user: '+15550001',
    contact_user: 'alice-c',
    auth_user: 'alice-auth',
    callid: 'a84b4c76e66710@pc33.atlanta.example.com',
    callid_aleg: 'aleg-77@b2bua',
    via_1: 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds, SIP/2.0/TCP p2;branch=z9hG4bKx',
    via_1_branch: 'z9hG4bK776asdhds',
    cseq: '314159 INVITE',
    diversion: '<sip:carol@example.com>;reason=unconditional',
    reason: 'Q.850;cause=16;text="Normal call clearing"',
    content_type: 'application/sdp',
    auth: 'Digest username="alice-auth", realm="atlanta.example.com", nonce="84a4cc6f", response="7587245234b3434cc3412213e5f113a5"',
    user_agent: 'Softphone Beta1.5',
    source_ip: '2001:db8::10',
    source_port: 5061,
    destination_ip: '192.0.2.20',
    destination_port: 5062,
    contact_ip: '198.51.100.7',
    contact_port: 5070,
    originator_ip: '203.0.113.9',
    originator_port: 5080,
    expires: 3600,
    correlation_id: 'corr-42',
    custom_field1: 'cf1',
    custom_field2: 'cf2',
    custom_field3: 'cf3',
    proto: 2,
    family: 10,
    rtp_stat: 'PS=1,OS=2,PR=3,OR=4',
    type: 1,
    node: 'homer01:2001',
    msg: Buffer.from(
      'INVITE sip:+15551234@gw.example.net;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP pc33\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nContent-Length: 0\r\n\r\n',
    ),
    ...overrides,
  };
  return r;
}

/** Header values a SQL splice or a naive COPY would break on. */
export const HOSTILE = {
  quotes: `it's "quoted" and 'single'`,
  backslashes: 'C:\\path\\to\\N \\. \\\\',
  controls: 'tab\there\nnewline\r\ncrlf',
  injection: "'; DROP TABLE x; --",
  unicode: 'Zoë ☎ 😀',
  nul: 'nul\0inside',
  /** Every ASCII character, NUL included, then multi-byte ones. */
  everyAscii: Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join('') + 'é€😀',
};

/** msg bytes that are not valid UTF-8 and hold NUL, a backslash and a lone continuation byte. */
export const BINARY_MSG = Buffer.concat([
  Buffer.from('MESSAGE sip:x@y SIP/2.0\r\nContent-Type: application/octet-stream\r\n\r\n'),
  Buffer.from([0x00, 0x01, 0xff, 0xfe, 0xc3, 0x28, 0x5c, 0x4e, 0x0a, 0x09, 0x80, 0x00]),
]);

/** Every value of a record as the database should give it back, by column (text, numbers as text). */
export function expectedColumns(r: CaptureRecord, nulAs: 'keep' | 'replace'): Record<string, string> {
  const out: Record<string, string> = {};
  const values = r as unknown as Record<string, unknown>;
  for (const c of COLUMNS) {
    if (c === 'msg') continue;
    const v = values[c];
    out[c] = typeof v === 'string' && nulAs === 'replace' ? v.replaceAll('\0', '\uFFFD') : String(v);
  }
  return out;
}

export const TEXT_COLUMNS = Object.keys(COLUMN_WIDTH);

/** A log callback that keeps what it was told. */
export function recordingLog(): { log: (level: LogLevel, msg: string) => void; lines: { level: LogLevel; msg: string }[] } {
  const lines: { level: LogLevel; msg: string }[] = [];
  return { lines, log: (level, msg) => lines.push({ level, msg }) };
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
