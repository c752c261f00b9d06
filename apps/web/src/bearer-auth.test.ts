import { describe, expect, it } from 'vitest';
import { bearerMatches } from './bearer-auth';

const TOKEN = 'k3y-0123456789abcdef';

describe('bearerMatches', () => {
  it('accepts the token as a bearer credential', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });
  it.each([undefined, '', TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, 'Bearer ', `Bearer ${TOKEN} extra`])(
    'refuses %j',
    (h) => {
      expect(bearerMatches(h, TOKEN)).toBe(false);
    },
  );
});
