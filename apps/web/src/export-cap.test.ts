import { describe, expect, it } from 'vitest';
import { capChunks, chunkStream, type CapResult } from './export-cap';

const b = (n: number, fill = 'x') => Buffer.alloc(n, fill);

describe('capChunks', () => {
  it('passes everything that fits, uncut', () => {
    let r: CapResult | undefined;
    const out = [...capChunks([b(10), b(20)], 30, { done: (x) => (r = x) })];
    expect(Buffer.concat(out).length).toBe(30);
    expect(r).toEqual({ cut: false, bytes: 30 });
  });

  it('stops before the first piece that would pass the cap: only whole pieces, never over it', () => {
    let r: CapResult | undefined;
    const out = [...capChunks([b(10), b(20), b(5)], 29, { done: (x) => (r = x) })];
    expect(out.map((c) => c.length)).toEqual([10]);
    expect(r).toEqual({ cut: true, bytes: 10 });
  });

  it('adds the tail only when cut, inside the cap', () => {
    const tail = () => Buffer.from('[cut]');
    expect(Buffer.concat([...capChunks([b(10), b(10)], 20, { tail })]).toString()).toBe('x'.repeat(20));
    expect(Buffer.concat([...capChunks([b(10), b(5), b(10)], 25, { tail })]).length).toBe(25);
    const cut = Buffer.concat([...capChunks([b(10), b(10)], 19, { tail })]);
    expect(cut.toString()).toBe(`${'x'.repeat(10)}[cut]`);
    expect(cut.length).toBeLessThanOrEqual(19);
  });

  it('makes no piece beyond the cap (a lazy source is not read past it)', () => {
    let made = 0;
    function* source() {
      for (let i = 0; i < 1_000_000; i++) {
        made++;
        yield b(100);
      }
    }
    expect([...capChunks(source(), 1000)]).toHaveLength(10);
    expect(made).toBeLessThanOrEqual(12);
  });

  it('streams the pieces as bytes', async () => {
    const parts: Buffer[] = [];
    for await (const c of chunkStream(capChunks([b(3, 'a'), b(3, 'b')], 100))) parts.push(c as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('aaabbb');
  });
});
