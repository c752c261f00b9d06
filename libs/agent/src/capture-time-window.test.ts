import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { CaptureTimeWindow } from './capture-time-window';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const micros = (ms: number) => BigInt(ms) * 1000n;

describe('CaptureTimeWindow', () => {
  it('keeps a time inside the window, to the microsecond', () => {
    const w = new CaptureTimeWindow(86_400, { now: () => NOW });
    const t = micros(NOW - 3_600_000) + 123n;
    expect(w.check(t)).toBe(t);
    expect(w.check(micros(NOW + 86_400_000))).toBe(micros(NOW + 86_400_000));
    expect(w.totals).toEqual({ past: 0, future: 0 });
  });

  it('replaces 1970 and 2100 with the receive time and counts each direction', async () => {
    const registry = new Registry();
    const w = new CaptureTimeWindow(86_400, { now: () => NOW, registry });
    expect(w.check(0n)).toBe(micros(NOW));
    expect(w.check(micros(Date.UTC(2100, 0, 1)))).toBe(micros(NOW));
    expect(w.check(micros(NOW - 86_400_001))).toBe(micros(NOW));
    expect(w.totals).toEqual({ past: 2, future: 1 });
    const text = await registry.metrics();
    expect(text).toContain('sipcap_capture_time_replaced_total{direction="past"} 2');
    expect(text).toContain('sipcap_capture_time_replaced_total{direction="future"} 1');
  });

  it('copes with times no Date can hold (a forged 64-bit value)', () => {
    const w = new CaptureTimeWindow(60, { now: () => NOW });
    expect(w.check(2n ** 63n - 1n)).toBe(micros(NOW));
  });

  it('is off with a window of 0', () => {
    const w = new CaptureTimeWindow(0, { now: () => NOW });
    expect(w.enabled).toBe(false);
    expect(w.check(0n)).toBe(0n);
  });
});
