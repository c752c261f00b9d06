import { describe, it, expect } from 'vitest';
import { formatCaptureFlag, parseCaptureFlag } from './flag-value';

describe('parseCaptureFlag', () => {
  it('reads on/off/1/0 case-insensitively and trimmed', () => {
    for (const v of ['on', 'ON', 'On', ' on ', '1', '\t1\n']) expect(parseCaptureFlag(v)).toBe('on');
    for (const v of ['off', 'OFF', 'oFf', ' off', '0', '0 ']) expect(parseCaptureFlag(v)).toBe('off');
  });

  it('gives absent for a missing key', () => {
    expect(parseCaptureFlag(null)).toBe('absent');
  });

  it('gives invalid for anything else, including near misses', () => {
    for (const v of ['', ' ', 'yes', 'true', 'no', '2', '01', 'o n', 'onn', '-1']) expect(parseCaptureFlag(v)).toBe('invalid');
  });
});

describe('formatCaptureFlag', () => {
  it('writes the canonical words, which parse back', () => {
    expect(formatCaptureFlag(true)).toBe('on');
    expect(formatCaptureFlag(false)).toBe('off');
    expect(parseCaptureFlag(formatCaptureFlag(true))).toBe('on');
    expect(parseCaptureFlag(formatCaptureFlag(false))).toBe('off');
  });
});
