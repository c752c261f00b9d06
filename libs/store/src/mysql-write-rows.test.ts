import { describe, it, expect } from 'vitest';
import { escape } from 'mysql2';
import { COLUMNS } from '@sipcap/record';
import { ByteWriter } from './byte-writer';
import { CaptureDateText } from './capture-date';
import { MYSQL_ESCAPES, mysqlInsertStatements } from './mysql-write-rows';
import { sampleRecord } from '@sipcap/record';

describe('MySQL string escaping', () => {
  it.each([
    'plain',
    'it\'s "quoted"',
    'back\\slash \\N',
    'nul\0 ctrl-z\x1a lf\n cr\r tab\t bs\b',
    "'; DROP TABLE x; --",
    'Zoë ☎ 😀',
    'lone \ud800',
  ])('escapes %j as mysql2 does', (s) => {
    const w = new ByteWriter(1);
    w.byte(0x27);
    w.escapedText(s, MYSQL_ESCAPES);
    w.byte(0x27);
    expect(w.result().equals(Buffer.from(escape(s), 'utf8'))).toBe(true);
  });
});

describe('MySQL escaping of every ASCII character', () => {
  it('matches mysql2 for each of the 128 codes', () => {
    for (let c = 0; c < 128; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      const w = new ByteWriter(1);
      w.byte(0x27);
      w.escapedText(s, MYSQL_ESCAPES);
      w.byte(0x27);
      expect(w.result().toString('latin1'), `code ${c}`).toBe(escape(s));
    }
  });
});

describe('mysqlInsertStatements', () => {
  const dates = new CaptureDateText();

  it('writes one multi-row INSERT with every column and msg as hex', () => {
    const r = sampleRecord({ micro_ts: 1_700_000_000_999_999n, callid: "o'hara" });
    const [sql, ...rest] = mysqlInsertStatements('sip_capture', [r, r], dates, 1 << 20, false);
    expect(rest).toEqual([]);
    expect(sql.startsWith('INSERT INTO `sip_capture` (`date`, `micro_ts`,')).toBe(true);
    expect(sql).toContain(`('2023-11-14 22:13:20',1700000000999999,'INVITE',`);
    expect(sql).toContain(`'o\\'hara'`);
    expect(sql).toContain(`X'${r.msg.toString('hex')}')`);
    expect(sql.split("),('")).toHaveLength(2);
    for (const c of COLUMNS) expect(sql).toContain(`\`${c}\``);
  });

  it('splits into statements below the byte limit, each row once and in order', () => {
    const records = Array.from({ length: 50 }, (_, i) => sampleRecord({ cseq: `${i} INVITE` }));
    const one = mysqlInsertStatements('t', records.slice(0, 1), dates, 1 << 20, false)[0].length;
    const statements = mysqlInsertStatements('t', records, dates, one * 7, true);
    expect(statements.length).toBeGreaterThan(4);
    for (const s of statements) {
      expect(Buffer.byteLength(s)).toBeLessThanOrEqual(one * 7);
      expect(s.startsWith('INSERT DELAYED INTO `t`')).toBe(true);
    }
    const cseqs = statements.join('\n').match(/'\d+ INVITE'/g)!;
    expect(cseqs).toEqual(records.map((_, i) => `'${i} INVITE'`));
  });

  it('sends a row larger than the limit alone', () => {
    const big = sampleRecord({ msg: Buffer.alloc(10_000, 0x41) });
    const statements = mysqlInsertStatements('t', [sampleRecord(), big, sampleRecord()], dates, 5_000, false);
    expect(statements).toHaveLength(3);
  });
});
