import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer';

describe('Pacer', () => {
  it('spaces messages 1/rate apart from the first, catching up after a late start', () => {
    const p = new Pacer({ kind: 'rate', perSecond: 100 });
    expect(p.delay(1000, 0n)).toBe(0);
    expect(p.delay(1000, 0n)).toBe(10);
    expect(p.delay(1015, 0n)).toBe(5); // due at 1020
    expect(p.delay(1050, 0n)).toBe(0); // due at 1030: late, send now
    expect(p.delay(1031, 0n)).toBe(9); // due at 1040
  });

  it('fast never waits', () => {
    const p = new Pacer({ kind: 'fast' });
    for (let i = 0; i < 5; i++) expect(p.delay(0, BigInt(i * 1_000_000))).toBe(0);
  });

  it('realtime follows the capture time since the first message; older messages go at once', () => {
    const p = new Pacer({ kind: 'realtime' });
    expect(p.delay(500, 10_000_000n)).toBe(0);
    expect(p.delay(500, 10_250_000n)).toBe(250);
    expect(p.delay(700, 12_000_000n)).toBe(1800);
    expect(p.delay(700, 9_000_000n)).toBe(0);
  });

  it('restart begins the timing again', () => {
    const p = new Pacer({ kind: 'realtime' });
    p.delay(0, 0n);
    expect(p.delay(0, 5_000_000n)).toBe(5000);
    p.restart();
    expect(p.delay(9000, 0n)).toBe(0);
    expect(p.delay(9000, 1_000_000n)).toBe(1000);
  });
});
