import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildReportRecord, encodeRecord, encodeRecordBatch, encodeReportRecord, sampleRecord } from '@sipcap/record';
import { DelayedWriter } from './delayed-writer';
import type { DeadLetter, PositionedRow } from './positioned-row';
import type { OffsetRow, PositionedResult } from './store';
import { ReportTableRouter } from './report-table-name';
import { TableRouter } from './table-name';

/** A store that records each write and finishes it when the test says so. */
class ManualStore {
  writes: { rows: PositionedRow[]; done(): void }[] = [];
  committed: string[] = [];

  writePositioned<R extends OffsetRow>(_g: string, _t: string, rows: readonly R[]): Promise<PositionedResult> {
    return new Promise((resolve) => {
      const w = rows as unknown as PositionedRow[];
      this.writes.push({
        rows: w,
        done: () => {
          this.committed.push(...w.map((r) => `${r.partition}/${r.offset}/${r.index}`));
          resolve({ inserted: w.length, rejected: 0, skipped: 0, perTable: new Map() });
        },
      });
    });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));
const message = (offset: number, callids: string[]) => ({
  offset: String(offset),
  key: null,
  value: encodeRecordBatch(callids.map((callid) => Buffer.from(encodeRecord(sampleRecord({ callid }))))),
});

function writer(store: ManualStore, lanes: number, deadLetter: (l: DeadLetter[]) => Promise<void> = async () => undefined) {
  return new DelayedWriter({
    store,
    router: new TableRouter({ tableName: 'sip_capture' }),
    group: 'g',
    topic: 't',
    batchSize: 2,
    flushMs: 1,
    lanes,
    deadLetter,
    isRetryable: () => true,
    log: pino({ level: 'silent' }),
  });
}

describe('DelayedWriter', () => {
  it('routes report records of a record batch to their report tables, beside the SIP records', async () => {
    const store = new ManualStore();
    const w = new DelayedWriter({
      store,
      router: new TableRouter({ tableName: 'sip_capture' }),
      reportRouter: new ReportTableRouter({ logs: 'logs_%Y%m%d' }),
      group: 'g',
      topic: 't',
      batchSize: 3,
      flushMs: 1,
      deadLetter: async () => undefined,
      isRetryable: () => true,
      log: pino({ level: 'silent' }),
    });
    const report = (kind: 'rtcp' | 'logs') =>
      buildReportRecord(
        {
          kind,
          type: 3,
          msg: '{}',
          srcIp: '192.0.2.1',
          srcPort: 1,
          dstIp: '192.0.2.2',
          dstPort: 2,
          family: 2,
          proto: 1,
          microTs: 1_764_000_000_000_000n,
          correlationId: 'c1',
        },
        'homer01',
      );
    const done = w.add(0, [
      {
        offset: '7',
        key: null,
        value: encodeRecordBatch([
          encodeRecord(sampleRecord({ callid: 'c1' })),
          encodeReportRecord(report('rtcp')),
          encodeReportRecord(report('logs')),
        ]),
      },
    ]);
    await tick();
    expect(store.writes[0].rows.map((r) => [r.index, r.table, r.record && 'kind' in r.record ? r.record.kind : 'sip'])).toEqual([
      [0, 'sip_capture', 'sip'],
      [1, 'rtcp_capture', 'rtcp'],
      [2, 'logs_20251124', 'logs'],
    ]);
    store.writes[0].done();
    await done;
  });

  it('writes the records of a record batch with their index, and spreads partitions over lanes that write at once', async () => {
    const store = new ManualStore();
    const w = writer(store, 2);
    const a = w.add(0, [message(10, ['a1', 'a2'])]);
    const b = w.add(1, [message(20, ['b1', 'b2', 'b3'])]);
    await tick();
    // Two transactions in flight at the same time, one per lane.
    expect(store.writes.map((x) => x.rows.map((r) => `${r.partition}/${r.offset}/${r.index}`))).toEqual([
      ['0/10/0', '0/10/1'],
      ['1/20/0', '1/20/1', '1/20/2'],
    ]);
    store.writes[1].done();
    await b;
    store.writes[0].done();
    await a;
    expect(store.committed).toEqual(['1/20/0', '1/20/1', '1/20/2', '0/10/0', '0/10/1']);
  });

  it('keeps a partition on one lane: its batches commit in offset order, also after one waited for the dead-letter topic', async () => {
    const store = new ManualStore();
    let releaseLetters!: () => void;
    const letters: DeadLetter[] = [];
    const w = writer(
      store,
      2,
      (l) =>
        new Promise((r) => {
          letters.push(...l);
          releaseLetters = () => r();
        }),
    );
    const garbage = { offset: '5', key: null, value: Buffer.from('not a record') };
    const first = w.add(3, [garbage, message(6, ['x'])]);
    const second = w.add(3, [message(7, ['y', 'z'])]);
    await tick();
    expect(store.writes).toHaveLength(0); // the later batch waits behind the one with a dead letter
    releaseLetters();
    await tick();
    for (let i = 0; i < 10 && store.committed.length < 4; i++) {
      for (const x of store.writes.splice(0)) x.done();
      await tick();
    }
    await Promise.all([first, second]);
    expect(letters.map((l) => [l.partition, String(l.offset), l.index])).toEqual([[3, '5', 0]]);
    expect(store.committed).toEqual(['3/5/0', '3/6/0', '3/7/0', '3/7/1']);
  });
});
