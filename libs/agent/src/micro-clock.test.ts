import { describe, expect, it } from 'vitest';
import { MicroClock } from './micro-clock';

/** A wall clock and a monotonic clock the test moves by hand. */
function clocks(wallMs: number) {
  const c = { wallMs, ns: 5_000_000_000n };
  let trueMicros = wallMs * 1000;
  const clock = new MicroClock(
    () => c.wallMs,
    () => c.ns,
  );
  const advance = (micros: number) => {
    c.ns += BigInt(micros) * 1000n;
    trueMicros += micros;
    c.wallMs = Math.floor(trueMicros / 1000);
  };
  /** The wall clock set `ms` ahead (or back), as NTP steps it. */
  const step = (ms: number) => {
    trueMicros += ms * 1000;
    c.wallMs += ms;
  };
  return { c, clock, advance, step };
}

describe('MicroClock', () => {
  it('tells apart two messages received within one millisecond, in their order', () => {
    const { clock, advance } = clocks(1_700_000_000_000);
    const first = clock.now();
    advance(130);
    const second = clock.now();
    advance(250);
    const third = clock.now();
    expect(second - first).toBe(130n);
    expect(third - second).toBe(250n);
    expect(third / 1000n).toBe(1_700_000_000_000n); // still the same millisecond of the wall clock
  });

  it('stays on the wall clock across many milliseconds', () => {
    const { c, clock, advance } = clocks(1_700_000_000_000);
    let last = clock.now();
    for (let i = 0; i < 10_000; i++) {
      advance(37);
      const t = clock.now();
      expect(t).toBeGreaterThan(last);
      expect(t / 1000n).toBe(BigInt(c.wallMs));
      last = t;
    }
  });

  it('finds the sub-millisecond offset when it starts within a millisecond, and never reads before Date.now()', () => {
    const { c, clock, advance } = clocks(1_700_000_000_000);
    advance(600); // started 600 µs into a millisecond: the first reading cannot know it
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n);
    advance(300);
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n + 300n); // the same millisecond, not yet exact
    advance(150); // read 50 µs past the next tick: the offset is now 50 µs short, no longer 600
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n);
    advance(720);
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n + 720n);
  });

  it("stays within Date.now()'s millisecond when the monotonic clock runs fast or slow", () => {
    for (const ppm of [-500, 500]) {
      const c = { wallMs: 1_700_000_000_000, ns: 0n };
      let trueMicros = c.wallMs * 1000;
      const clock = new MicroClock(
        () => c.wallMs,
        () => c.ns,
      );
      let last = 0n;
      let backwards = 0;
      for (let i = 0; i < 50_000; i++) {
        trueMicros += 46;
        c.wallMs = Math.floor(trueMicros / 1000);
        c.ns += BigInt(Math.round(46 * (1 + ppm / 1e6) * 1000));
        const t = clock.now();
        expect(t / 1000n).toBe(BigInt(c.wallMs));
        if (t < last) backwards++;
        last = t;
      }
      // 2.3 s at 500 ppm drift apart by 1.15 ms, yet no time goes back.
      expect(backwards).toBe(0);
    }
  });

  it('follows the wall clock when it is stepped (NTP), forward or back', () => {
    const { c, clock, advance, step } = clocks(1_700_000_000_000);
    clock.now();
    advance(500);
    step(60_000); // a minute ahead
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n);
    advance(40);
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n + 40n);
    step(-120_000); // and two minutes back: the last microsecond of the millisecond Date.now() reads
    expect(clock.now()).toBe(BigInt(c.wallMs) * 1000n + 999n);
  });

  it('reads the real clocks by default: microseconds, within the millisecond Date.now() reads', () => {
    const clock = new MicroClock();
    const seen = new Set<bigint>();
    for (let i = 0; i < 2000; i++) {
      const before = BigInt(Date.now()) * 1000n;
      const t = clock.now();
      const after = BigInt(Date.now()) * 1000n;
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThan(after + 1000n);
      seen.add(t % 1000n);
    }
    // Not whole milliseconds: the sub-millisecond part takes many values.
    expect(seen.size).toBeGreaterThan(10);
  });
});
