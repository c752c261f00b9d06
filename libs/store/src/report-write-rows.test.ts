import { describe, expect, it } from 'vitest';
import { buildReportRecord } from '@sipcap/record';
import { CaptureDateText } from './capture-date';
import { mysqlReportStatements } from './report-write-rows';

const rec = (i: number, msg: string) =>
  buildReportRecord(
    {
      kind: 'logs',
      type: 5,
      msg,
      srcIp: '192.0.2.1',
      srcPort: i,
      dstIp: '192.0.2.2',
      dstPort: 2,
      family: 2,
      proto: 1,
      microTs: 1_764_000_000_000_000n + BigInt(i),
      correlationId: `c${i}`,
    },
    'homer01',
  );

describe('mysqlReportStatements', () => {
  it('splits rows over statements below the size limit and keeps every row once, in order', () => {
    const records = Array.from({ length: 50 }, (_, i) => rec(i, `line ${i} `.repeat(20)));
    const statements = mysqlReportStatements('logs_capture', records, new CaptureDateText(), 2000);
    expect(statements.length).toBeGreaterThan(5);
    for (const s of statements) {
      expect(s.startsWith('INSERT INTO `logs_capture` (`date`, `micro_ts`, `correlation_id`,')).toBe(true);
      expect(Buffer.byteLength(s)).toBeLessThanOrEqual(2000);
    }
    const ids = statements.join('\n').match(/'c\d+'/g);
    expect(ids).toEqual(records.map((r) => `'${r.correlation_id}'`));
  });

  it('escapes quotes, backslashes and control characters, and cuts msg to 4500 characters', () => {
    const [s] = mysqlReportStatements('t', [rec(1, `it's \\ "x"\n\0` + 'y'.repeat(5000))], new CaptureDateText(), 1 << 20);
    expect(s).toContain(`'it\\'s \\\\ \\"x\\"\\n\\0yyy`);
    expect(s).toContain(`'2025-11-24 16:00:00',1764000000000001,'c1','192.0.2.1',1,'192.0.2.2',2,1,2,5,'homer01','`);
    const msg = s.slice(s.indexOf("'homer01','") + 11, -2);
    expect(msg.replace(/\\./g, '.').length).toBe(4500);
  });
});
