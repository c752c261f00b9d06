import { describe, it, expect } from 'vitest';
import { sampleRecord } from '@sipcap/record';
import { TableRouter } from './table-name';
import { fnv1a32 } from './fnv1a';
import { DayWindow } from './partition-window';
import { ReportTableRouter } from './report-table-name';

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

/** Deterministic generator for `rand` mode (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TableRouter', () => {
  it('uses the single name as is', () => {
    const r = new TableRouter({ tableName: 'sip_capture' });
    expect(r.route(sampleRecord())).toBe('sip_capture');
  });

  it('expands time fields from the record capture time in UTC', () => {
    const r = new TableRouter({ tableName: 'sip_capture_%Y%m%d' });
    expect(r.route(sampleRecord({ micro_ts: micros('2024-01-31T23:59:59.999Z') + 999n }))).toBe('sip_capture_20240131');
    expect(r.route(sampleRecord({ micro_ts: micros('2024-02-01T00:00:00Z') }))).toBe('sip_capture_20240201');
    // Back to an earlier minute: the per-minute cache must not return the later name.
    expect(r.route(sampleRecord({ micro_ts: micros('2024-01-31T10:00:00Z') }))).toBe('sip_capture_20240131');
  });

  it('puts a row whose day is outside the window in the table of today, not a table of its own day', () => {
    const now = Date.parse('2024-05-10T12:00:00Z');
    const window = new DayWindow({ pastDays: 7, aheadDays: 3 }, () => now);
    const r = new TableRouter({ tableName: 'sip_capture_%Y%m%d', window });
    expect(r.route(sampleRecord({ micro_ts: micros('2024-05-03T01:00:00Z') }))).toBe('sip_capture_20240503');
    expect(r.route(sampleRecord({ micro_ts: 0n }))).toBe('sip_capture_20240510');
    expect(r.route(sampleRecord({ micro_ts: micros('2100-01-01T00:00:00Z') }))).toBe('sip_capture_20240510');
    const reports = new ReportTableRouter({ rtcp: 'rtcp_%Y%m%d' }, window);
    expect(reports.route({ kind: 'rtcp', micro_ts: micros('1970-01-02T00:00:00Z') })).toBe('rtcp_20240510');
    expect(reports.route({ kind: 'logs', micro_ts: 0n })).toBe('logs_capture');
    expect(window.outside).toBe(3);
  });

  it('routes by kind of message as HOMER 5 (CSeq method), the rest by TABLE_NAME', () => {
    const r = new TableRouter({
      tableName: 'sip_capture',
      kindTables: { call: 'sip_capture_call_%Y%m%d', registration: 'sip_capture_registration_%Y%m%d', rest: '' },
    });
    const t = micros('2024-05-10T10:00:00Z');
    expect(r.route(sampleRecord({ micro_ts: t, cseq: '1 INVITE' }))).toBe('sip_capture_call_20240510');
    expect(r.route(sampleRecord({ micro_ts: t, cseq: '2 BYE' }))).toBe('sip_capture_call_20240510');
    expect(r.route(sampleRecord({ micro_ts: t, cseq: '7 REGISTER' }))).toBe('sip_capture_registration_20240510');
    expect(r.route(sampleRecord({ micro_ts: t, cseq: '1 OPTIONS' }))).toBe('sip_capture');
    expect(r.templates).toEqual(['sip_capture', 'sip_capture_call_%Y%m%d', 'sip_capture_registration_%Y%m%d']);
    expect(r.tablesAt(Date.parse('2024-05-10T00:00:00Z'))).toEqual([
      'sip_capture',
      'sip_capture_call_20240510',
      'sip_capture_registration_20240510',
    ]);
  });

  it('with a table for every kind, TABLE_NAME receives nothing and is not listed', () => {
    const r = new TableRouter({ tableName: 'sip_capture', kindTables: { call: 'c_%Y%m%d', registration: 'r_%Y%m%d', rest: 'x_%Y%m%d' } });
    expect(r.templates).toEqual(['c_%Y%m%d', 'r_%Y%m%d', 'x_%Y%m%d']);
    expect(r.tablesAt(Date.parse('2024-05-10T00:00:00Z'))).toEqual(['c_20240510', 'r_20240510', 'x_20240510']);
    expect(r.route(sampleRecord({ cseq: '1 SUBSCRIBE', micro_ts: micros('2024-05-10T10:00:00Z') }))).toBe('x_20240510');
  });

  it('trims names around | and lists every table at a time', () => {
    const r = new TableRouter({ tableName: ' a_%Y | b ' });
    expect(r.templates).toEqual(['a_%Y', 'b']);
    expect(r.tablesAt(Date.parse('2031-05-05T00:00:00Z'))).toEqual(['a_2031', 'b']);
  });

  it('round_robin cycles through the tables in order', () => {
    const r = new TableRouter({ tableName: 't1|t2|t3', mode: 'round_robin' });
    const got = Array.from({ length: 7 }, () => r.route(sampleRecord()));
    expect(got).toEqual(['t1', 't2', 't3', 't1', 't2', 't3', 't1']);
  });

  it('rand spreads records over every table', () => {
    const r = new TableRouter({ tableName: 't1|t2|t3|t4', mode: 'rand', random: seeded(7) });
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const t = r.route(sampleRecord());
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['t1', 't2', 't3', 't4']);
    for (const c of counts.values()) expect(c).toBeGreaterThan(800);
  });

  it('rand stays in range when the random source returns values near 1', () => {
    const r = new TableRouter({ tableName: 'a|b', mode: 'rand', random: () => 0.9999999999999999 });
    expect(r.route(sampleRecord())).toBe('b');
  });

  it('hash sends every message of a call to one table, stable across routers', () => {
    const a = new TableRouter({ tableName: 't1|t2|t3', mode: 'hash', hashSource: 'call_id' });
    const b = new TableRouter({ tableName: 't1|t2|t3', mode: 'hash', hashSource: 'call_id' });
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const callid = `call-${i}@example.com`;
      const t = a.route(sampleRecord({ callid, from_user: `u${i % 2}` }));
      expect(a.route(sampleRecord({ callid, method: 'BYE', micro_ts: 1n }))).toBe(t);
      expect(b.route(sampleRecord({ callid }))).toBe(t);
      expect(t).toBe(`t${(fnv1a32(callid) % 3) + 1}`);
      seen.add(t);
    }
    expect(seen.size).toBe(3);
  });

  it.each([
    ['from_user', { from_user: 'alice' }, { from_user: 'alice', callid: 'other' }],
    ['to_user', { to_user: 'bob' }, { to_user: 'bob', callid: 'other', from_user: 'x' }],
  ] as const)('hash over %s ignores the other fields', (source, one, two) => {
    const r = new TableRouter({ tableName: Array.from({ length: 16 }, (_, i) => `t${i}`).join('|'), mode: 'hash', hashSource: source });
    expect(r.route(sampleRecord(one))).toBe(r.route(sampleRecord(two)));
    const value = Object.values(one)[0];
    expect(r.route(sampleRecord(one))).toBe(`t${fnv1a32(value) % 16}`);
  });

  it.each(['sip capture', 'a||b', '', '1abc', 'x_%Q', 'p%%', 'a'.repeat(60) + '_%Y', "x'; DROP TABLE y; --"])(
    'rejects the invalid TABLE_NAME %j',
    (tableName) => {
      expect(() => new TableRouter({ tableName })).toThrow(/TABLE_NAME/);
    },
  );
});
