import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it('round-trips date text, id and table', () => {
    const c = { date: '2025-01-15 10:00:00.123456', id: '18446744073709551615', table: 'sip_capture_20250115' };
    const text = encodeCursor(c);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(c);
  });

  it.each([
    ['not base64 at all!', 'garbage'],
    [Buffer.from('{"a":1}').toString('base64url'), 'not an array'],
    [Buffer.from(JSON.stringify(['2025-01-15 10:00:00', '1; DROP', 'sip_capture'])).toString('base64url'), 'a bad id'],
    [Buffer.from(JSON.stringify(['yesterday', '1', 'sip_capture'])).toString('base64url'), 'a bad date'],
    [Buffer.from(JSON.stringify(['2025-01-15 10:00:00', '1', 'sip"capture'])).toString('base64url'), 'a bad table'],
  ])('refuses %j (%s)', (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
