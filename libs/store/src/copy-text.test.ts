import { describe, it, expect } from 'vitest';
import { COLUMNS, sampleRecord } from '@sipcap/record';
import { ByteWriter } from './byte-writer';
import { COPY_ESCAPES, escapeCopyText } from './copy-text';
import { encodeCopyRows, PG_ROW_COLUMNS } from './pg-copy-rows';

/** Reference decoder of one COPY text field (PostgreSQL's rules), for round-trip checks. */
function unescapeField(f: string): string | null {
  if (f === '\\N') return null;
  return f.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c);
}

function parseCopy(data: Buffer): (string | null)[][] {
  const text = data.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => line.split('\t').map(unescapeField));
}

describe('escapeCopyText', () => {
  it('returns plain text unchanged', () => {
    const s = 'sip:alice@atlanta.example.com;tag=1';
    expect(escapeCopyText(s)).toBe(s);
  });

  it.each([
    ['a\\b', 'a\\\\b'],
    ['a\tb', 'a\\tb'],
    ['line1\r\nline2', 'line1\\r\\nline2'],
    ['\\N', '\\\\N'],
    ['\\.', '\\\\.'],
    ['nul\0here', 'nul\uFFFDhere'],
    ["'; DROP TABLE x; --", "'; DROP TABLE x; --"],
    ['"quoted" \\t', '"quoted" \\\\t'],
    ['\t', '\\t'],
    ['ü€😀\n', 'ü€😀\\n'],
  ])('escapes %j', (input, expected) => {
    expect(escapeCopyText(input)).toBe(expected);
  });

  it('keeps other control characters as they are (COPY takes them literally)', () => {
    expect(escapeCopyText('a\x01\x0b\x0c\x1fb')).toBe('a\x01\x0b\x0c\x1fb');
  });
});

describe('ByteWriter with the COPY escapes', () => {
  it('escapes raw bytes like the text escaper and grows past its first capacity', () => {
    const w = new ByteWriter(16);
    const msg = Buffer.from('INVITE sip:a@b SIP/2.0\r\nX-Path: C:\\dir\\x\tend\r\n\r\n' + 'é'.repeat(600), 'utf8');
    w.escapedBytes(msg, COPY_ESCAPES);
    w.ascii('|');
    w.hex(Buffer.from([0, 0xff, 0x5c]));
    expect(w.result().toString('utf8')).toBe(escapeCopyText(msg.toString('utf8')) + '|00ff5c');
  });
});

describe('ByteWriter.escapedText', () => {
  it.each([
    'plain ascii',
    '',
    'a\\b\tc\r\nd',
    'nul\0x',
    'Zoë ☎ 😀 é€',
    'lone \ud800 high',
    'lone \udc00 low',
    'end high \ud83d',
    '\u07ff\u0800\uffff',
    "'; DROP TABLE x; --",
  ])('escapes and encodes %j like escapeCopyText + UTF-8', (s) => {
    const w = new ByteWriter(1);
    w.escapedText(s, COPY_ESCAPES);
    expect(w.result().equals(Buffer.from(escapeCopyText(s), 'utf8'))).toBe(true);
  });

  it('writes integers in decimal', () => {
    const w = new ByteWriter(1);
    for (const n of [0, 7, 10, -1, -5060, 65535, 2147483647, -2147483648]) {
      w.int(n);
      w.byte(0x2c);
    }
    expect(w.result().toString()).toBe('0,7,10,-1,-5060,65535,2147483647,-2147483648,');
  });
});

describe('encodeCopyRows', () => {
  it('writes one line per record with date, every column and msg_raw', () => {
    const r = sampleRecord({ micro_ts: 1_700_000_000_123_456n, source_port: 5062, expires: -1 });
    const rows = parseCopy(encodeCopyRows([r, sampleRecord({ method: 'BYE' })]));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveLength(PG_ROW_COLUMNS.length);
    expect(rows[0][0]).toBe('2023-11-14 22:13:20.123456');
    const values = r as unknown as Record<string, unknown>;
    COLUMNS.forEach((c, i) => {
      const expected = c === 'msg' ? r.msg.toString('utf8') : String(values[c]);
      expect(rows[0][i + 1], c).toBe(expected);
    });
    expect(rows[0][PG_ROW_COLUMNS.length - 1]).toBeNull();
    expect(rows[1][COLUMNS.indexOf('method') + 1]).toBe('BYE');
  });

  it('round-trips hostile header values', () => {
    const hostile = 'a\\b\t"c"\r\nd\'; DROP TABLE x; --\\N';
    const rows = parseCopy(encodeCopyRows([sampleRecord({ user_agent: hostile, callid: '\\', reason: '' })]));
    expect(rows[0][COLUMNS.indexOf('user_agent') + 1]).toBe(hostile);
    expect(rows[0][COLUMNS.indexOf('callid') + 1]).toBe('\\');
    expect(rows[0][COLUMNS.indexOf('reason') + 1]).toBe('');
  });

  it('puts msg bytes that text cannot hold into msg_raw and a readable rendering into msg', () => {
    const raw = Buffer.concat([Buffer.from('MESSAGE sip:x SIP/2.0\r\n\r\n'), Buffer.from([0x00, 0xc3, 0x28, 0xff, 0x5c])]);
    const rows = parseCopy(encodeCopyRows([sampleRecord({ msg: raw })]));
    const msgRaw = rows[0][PG_ROW_COLUMNS.length - 1]!;
    expect(msgRaw.startsWith('\\x')).toBe(true);
    expect(Buffer.from(msgRaw.slice(2), 'hex').equals(raw)).toBe(true);
    const msgText = rows[0][PG_ROW_COLUMNS.length - 2]!;
    expect(msgText.startsWith('MESSAGE sip:x SIP/2.0\r\n\r\n\uFFFD')).toBe(true);
    expect(msgText).not.toContain('\0');
    expect(msgText.endsWith('\\')).toBe(true);
  });
});
