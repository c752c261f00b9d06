import { describe, expect, it } from 'vitest';
import { forEachFrame, FrameBatchWriter, FRAME_HEADER_SIZE } from './frame-batch';

function read(batch: ReturnType<FrameBatchWriter['take']>) {
  const out: [number, string, number][] = [];
  forEachFrame(batch!, (lt, f, ts) => out.push([lt, f.toString(), ts]));
  return out;
}

describe('frame batches', () => {
  it('carries frames, link types and microsecond times in order', () => {
    const w = new FrameBatchWriter(1024);
    const ts = 1_795_669_305_814_924;
    expect(w.append(1, Buffer.from('first'), ts)).toBe(true);
    expect(w.append(101, Buffer.from('second'), ts + 1)).toBe(true);
    const batch = w.take();
    expect(batch?.count).toBe(2);
    expect(read(batch)).toEqual([
      [1, 'first', ts],
      [101, 'second', ts + 1],
    ]);
  });

  it('copies the frame, so the capture buffer may be reused at once', () => {
    const w = new FrameBatchWriter(1024);
    const reused = Buffer.from('aaaa');
    w.append(1, reused, 0);
    reused.fill(0x62);
    w.append(1, reused, 0);
    expect(read(w.take()).map((r) => r[1])).toEqual(['aaaa', 'bbbb']);
  });

  it('refuses a frame that does not fit and starts empty after take', () => {
    const w = new FrameBatchWriter(FRAME_HEADER_SIZE * 2 + 10);
    expect(w.append(1, Buffer.alloc(5), 0)).toBe(true);
    expect(w.append(1, Buffer.alloc(6), 0)).toBe(false);
    expect(w.take()?.count).toBe(1);
    expect(w.take()).toBeUndefined();
    expect(w.append(1, Buffer.alloc(6), 0)).toBe(true);
  });

  it('resumes from an offset and stops at a deadline', () => {
    const w = new FrameBatchWriter(64 * 1024);
    for (let i = 0; i < 100; i++) w.append(1, Buffer.from(`f${i}`), i);
    const batch = w.take()!;
    const seen: number[] = [];
    const stop = forEachFrame(batch, (_lt, _f, ts) => seen.push(ts), 0, 0); // deadline long passed
    expect(seen).toHaveLength(32);
    expect(stop).toBeLessThan(batch.used);
    expect(forEachFrame(batch, (_lt, _f, ts) => seen.push(ts), stop)).toBe(batch.used);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('reuses a recycled buffer instead of allocating', () => {
    const w = new FrameBatchWriter(256);
    w.append(1, Buffer.from('x'), 0);
    const first = w.take()!;
    w.append(1, Buffer.from('y'), 0);
    w.recycle(first.buffer);
    w.take();
    w.append(1, Buffer.from('z'), 0);
    expect(w.take()!.buffer).toBe(first.buffer);
  });
});
