import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, readRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { ByteWriter } from './byte-writer';
import { CaptureDateText } from './capture-date';
import { COLUMN_KINDS, columnValues } from './columns';
import { mariadbBulkCommands, mariadbBulkStatement } from './mariadb-bulk-rows';
import { MYSQL_ROW_COLUMNS } from './mysql-write-rows';

const dates = new CaptureDateText();

/** A reader of the command as MariaDB's documentation lays it out (https://mariadb.com/kb/en/com_stmt_bulk_execute/). */
function parseCommand(b: Buffer) {
  let at = 4; // packet header, left for the connection
  const lenenc = () => {
    const first = b[at++];
    if (first < 0xfb) return first;
    const n = first === 0xfc ? 2 : first === 0xfd ? 3 : 8;
    const v = Number(b.readUIntLE(at, Math.min(n, 6)));
    at += n;
    return v;
  };
  expect(b[at++]).toBe(0xfa);
  const statement = b.readUInt32LE(at);
  const flags = b.readUInt16LE((at += 4));
  at += 2;
  const types: number[] = [];
  for (let i = 0; i < MYSQL_ROW_COLUMNS.length; i++, at += 2) types.push(b[at]);
  const rows: unknown[][] = [];
  while (at < b.length) {
    const row: unknown[] = [];
    for (const t of types) {
      expect(b[at++]).toBe(0); // indicator: a value follows
      if (t === 8) row.push(b.readBigInt64LE((at += 8) - 8));
      else if (t === 3) row.push(b.readInt32LE((at += 4) - 4));
      else {
        const n = lenenc();
        const bytes = b.subarray(at, (at += n));
        row.push(t === 252 ? Buffer.from(bytes) : bytes.toString('utf8'));
      }
    }
    rows.push(row);
  }
  return { statement, flags, types, rows };
}

/** What a row's parameters must hold: the date text, then the record's values. */
const expected = (r: CaptureRecord) => [dates.seconds(r.micro_ts), ...columnValues(r)];

describe('mariadbBulkCommands', () => {
  it('writes the statement id, the types once (micro_ts LONGLONG, numbers LONG, text VAR_STRING, msg BLOB) and every row', () => {
    const records = [
      sampleRecord(),
      sampleRecord({
        from_user: 'bj\u00f6rk \u{1f600}',
        user_agent: 'x'.repeat(251),
        via_1: 'v'.repeat(250),
        expires: -1,
        msg: Buffer.from([0, 0xff, 0x5c]),
      }),
    ];
    const [command, ...more] = mariadbBulkCommands(7, records, dates, 1 << 20);
    expect(more).toEqual([]);
    const parsed = parseCommand(command);
    expect(parsed.statement).toBe(7);
    expect(parsed.flags).toBe(128); // SEND_TYPES_TO_SERVER
    expect(parsed.types).toEqual([253, ...COLUMN_KINDS.map((k) => ({ micros: 8, int: 3, text: 253, bytes: 252 })[k])]);
    expect(parsed.rows).toEqual(records.map(expected));
  });

  it('starts a new command before one would pass maxBytes; a row larger than that goes alone', () => {
    const records = Array.from({ length: 30 }, (_, i) =>
      sampleRecord({ cseq: String(i), msg: Buffer.alloc(i === 20 ? 9_000 : 500, 0x41) }),
    );
    const commands = mariadbBulkCommands(1, records, dates, 4_000);
    expect(commands.length).toBeGreaterThan(5);
    for (const c of commands) if (parseCommand(c).rows.length > 1) expect(c.length).toBeLessThanOrEqual(4_000);
    expect(commands.flatMap((c) => parseCommand(c).rows)).toEqual(records.map(expected));
  });

  it('writes a record read from its Kafka value (bytes copied, not decoded) exactly as the decoded record', () => {
    for (const r of [
      sampleRecord(),
      sampleRecord({ from_user: 'bj\u00f6rk \u4e2d\u6587 \u{1f600}', user_agent: 'a\0b', msg: Buffer.from([0x49, 0, 0xff]) }),
    ]) {
      const value = encodeRecord(r);
      const read = readRecord(Buffer.from(value));
      const decoded = decodeRecord(Buffer.from(value));
      if (!read.ok || !decoded.ok) throw new Error('does not decode');
      expect(read.record.constructor.name).toBe('EncodedRecord');
      expect(mariadbBulkCommands(3, [read.record, read.record], dates, 1 << 20)).toEqual(
        mariadbBulkCommands(3, [decoded.record, decoded.record], dates, 1 << 20),
      );
    }
  });

  it('is executed by an INSERT with one placeholder per column, in the same order', () => {
    const sql = mariadbBulkStatement('sip_capture_20240101');
    expect(sql.startsWith('INSERT INTO `sip_capture_20240101` (`date`, `micro_ts`, ')).toBe(true);
    expect(sql.match(/\?/g)).toHaveLength(MYSQL_ROW_COLUMNS.length);
  });
});

describe('ByteWriter length-encoded lengths', () => {
  it('patches 1, 3 or 4 bytes in front of what was written, as the length needs', () => {
    for (const n of [0, 250, 251, 65_535, 65_536, 70_000]) {
      const w = new ByteWriter(16);
      w.byte(0x99);
      const at = w.reserveLenenc();
      w.bytes(Buffer.alloc(n, 0x61));
      w.patchLenenc(at);
      w.byte(0x77);
      const out = w.result();
      const head = n < 251 ? [n] : n < 65_536 ? [0xfc, n & 255, n >> 8] : [0xfd, n & 255, (n >> 8) & 255, n >> 16];
      expect([...out.subarray(0, 1 + head.length)]).toEqual([0x99, ...head]);
      expect(out.length).toBe(1 + head.length + n + 1);
      expect(out[out.length - 1]).toBe(0x77);
      const direct = new ByteWriter(16);
      direct.lenenc(n);
      expect([...direct.result()]).toEqual(head);
    }
  });
});
