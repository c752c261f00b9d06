import { describe, it, expect } from 'vitest';
import { FlagState } from './flag-state';

function clock(start = 1000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('FlagState', () => {
  it('starts from the default, unconnected', () => {
    for (const defaultOn of [true, false]) {
      const s = new FlagState(defaultOn);
      expect(s.snapshot()).toMatchObject({ on: defaultOn, source: 'default', redisConnected: false });
    }
  });

  it('follows on/off values and stamps each flip', () => {
    const c = clock();
    const s = new FlagState(false, c.now);
    c.advance(10);
    expect(s.applyValue('on')).toEqual({ kind: 'changed', flipped: true });
    expect(s.snapshot()).toEqual({ on: true, source: 'redis', redisConnected: false, lastChangeAt: 1010 });
    c.advance(5);
    expect(s.applyValue('ON')).toEqual({ kind: 'unchanged' });
    expect(s.lastChangeAt).toBe(1010);
    expect(s.applyValue('0')).toEqual({ kind: 'changed', flipped: true });
    expect(s.snapshot()).toMatchObject({ on: false, source: 'redis', lastChangeAt: 1015 });
  });

  it('returns to the default when the key goes away', () => {
    const s = new FlagState(true);
    s.applyValue('off');
    expect(s.applyValue(null)).toEqual({ kind: 'changed', flipped: true });
    expect(s.snapshot()).toMatchObject({ on: true, source: 'default' });
  });

  it('reports a source-only change when the key is removed while equal to the default', () => {
    const s = new FlagState(false);
    s.applyValue('off');
    expect(s.source).toBe('redis');
    expect(s.applyValue(null)).toEqual({ kind: 'changed', flipped: false });
    expect(s.snapshot()).toMatchObject({ on: false, source: 'default' });
  });

  it('keeps its state on a bad value and flags each distinct bad value once', () => {
    const s = new FlagState(false);
    s.applyValue('on');
    expect(s.applyValue('yes')).toEqual({ kind: 'invalid', raw: 'yes', firstTime: true });
    expect(s.applyValue('yes')).toEqual({ kind: 'invalid', raw: 'yes', firstTime: false });
    expect(s.applyValue('maybe')).toEqual({ kind: 'invalid', raw: 'maybe', firstTime: true });
    expect(s.snapshot()).toMatchObject({ on: true, source: 'redis' });
  });

  it('marks the state last-known when Redis goes away after a read, and keeps it', () => {
    const s = new FlagState(false);
    expect(s.setConnected(true)).toBe(true);
    s.applyValue('on');
    expect(s.setConnected(true)).toBe(false);
    expect(s.setConnected(false)).toBe(true);
    expect(s.snapshot()).toMatchObject({ on: true, source: 'last-known', redisConnected: false });
    // Reconnecting alone does not claim the value is fresh: the next read does.
    s.setConnected(true);
    expect(s.source).toBe('last-known');
    expect(s.applyValue('on')).toEqual({ kind: 'changed', flipped: false });
    expect(s.source).toBe('redis');
  });

  it('keeps the default source when Redis was never reached', () => {
    const s = new FlagState(true);
    s.setConnected(true);
    s.setConnected(false);
    expect(s.snapshot()).toMatchObject({ on: true, source: 'default', redisConnected: false });
  });
});
