import { describe, expect, it } from 'vitest';
import { SpareWriters } from './spare-writers';

describe('SpareWriters', () => {
  it('hands a given writer back, emptied, with the buffer it grew', () => {
    const spare = new SpareWriters();
    const w = spare.take();
    w.reserve(1 << 20);
    w.ascii('batch one');
    const grown = w.capacity;
    expect(grown).toBeGreaterThanOrEqual(1 << 20);
    spare.give(w);
    const again = spare.take();
    expect(again).toBe(w);
    expect(again.length).toBe(0);
    expect(again.capacity).toBe(grown);
  });

  it('gives a new writer while the others are in use (one per lane)', () => {
    const spare = new SpareWriters();
    const a = spare.take();
    const b = spare.take();
    expect(b).not.toBe(a);
  });

  it('keeps at most `keep` writers, and none larger than maxBytes', () => {
    const spare = new SpareWriters(2, 1 << 20);
    const [a, b, c] = [spare.take(), spare.take(), spare.take()];
    const big = spare.take();
    big.reserve(2 << 20);
    for (const w of [a, b, c, big]) spare.give(w);
    const kept = new Set([spare.take(), spare.take()]);
    expect(kept).toEqual(new Set([a, b]));
    const fresh = spare.take();
    expect([a, b, c, big]).not.toContain(fresh);
  });
});
