import { describe, expect, it } from 'vitest';
import { forEachRecord, RecordBatchWriter } from './record-batch';

describe('record batches', () => {
  it('carries keys and values in order, growing past the initial capacity', () => {
    const w = new RecordBatchWriter(16);
    const big = Buffer.alloc(1000, 7);
    w.append('call-é@host', Buffer.from('v1'));
    w.append('call-2', big);
    w.append('', Buffer.alloc(0));
    const batch = w.take()!;
    expect(batch.count).toBe(3);
    const out: [string, Buffer][] = [];
    forEachRecord(batch, (k, v) => out.push([k, Buffer.from(v)]));
    expect(out.map((r) => r[0])).toEqual(['call-é@host', 'call-2', '']);
    expect(out[0][1].toString()).toBe('v1');
    expect(out[1][1].equals(big)).toBe(true);
    expect(out[2][1].length).toBe(0);
  });

  it('hands over an independent buffer and starts over empty', () => {
    const w = new RecordBatchWriter(64);
    w.append('a', Buffer.from('one'));
    const first = w.take()!;
    w.append('b', Buffer.from('two'));
    const keys: string[] = [];
    forEachRecord(first, (k, v) => keys.push(`${k}=${v.toString()}`));
    expect(keys).toEqual(['a=one']);
    expect(w.take()!.count).toBe(1);
    expect(w.take()).toBeUndefined();
  });
});
