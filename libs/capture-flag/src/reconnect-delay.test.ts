import { describe, it, expect } from 'vitest';
import { reconnectDelay } from './reconnect-delay';

describe('reconnectDelay', () => {
  it('doubles from 100 ms without jitter', () => {
    const none = () => 0;
    expect([1, 2, 3, 4].map((a) => reconnectDelay(a, 5000, none))).toEqual([100, 200, 400, 800]);
  });

  it('is capped, even after very many attempts', () => {
    expect(reconnectDelay(7, 5000, () => 0)).toBe(5000);
    expect(reconnectDelay(10_000, 5000, () => 0)).toBe(5000);
    expect(reconnectDelay(10_000, 1500, () => 0)).toBe(1500);
  });

  it('takes off at most 20% as jitter', () => {
    expect(reconnectDelay(10, 5000, () => 0.999999)).toBe(4000);
    expect(reconnectDelay(1, 5000, () => 0.5)).toBe(90);
  });
});
