import { describe, expect, it } from 'vitest';
import { addressOf, apiParams, stateFromAddress } from '../page/search-state';

describe('page search state (the address)', () => {
  it('reads the fields, view and zone from the address, defaults for the front door', () => {
    expect(stateFromAddress('')).toEqual({ fields: {}, view: 'calls', tz: 'utc' });
    expect(stateFromAddress('?callid=abc*&limit=10&view=messages&tz=local&token=x&bogus=1')).toEqual({
      fields: { callid: 'abc*', limit: '10' },
      view: 'messages',
      tz: 'local',
    });
  });

  it('writes back what it reads, leaving defaults out so the front door stays /', () => {
    expect(addressOf({ fields: {}, view: 'calls', tz: 'utc' })).toBe('');
    const s = stateFromAddress('?from=2025-01-15T09%3A00%3A00&from_user=al*&view=messages&tz=local');
    expect(stateFromAddress(addressOf(s))).toEqual(s);
  });

  it('sends a time typed in the browser zone as UTC, and a UTC one as typed', () => {
    const local = apiParams({ fields: { from: '2025-01-15T10:00:00', to_user: 'bob' }, view: 'calls', tz: 'local' }, () =>
      Date.UTC(2025, 0, 15, 9),
    );
    expect(local.get('from')).toBe('2025-01-15T09:00:00.000Z');
    expect(local.get('to_user')).toBe('bob');
    expect(apiParams({ fields: { from: '2025-01-15T10:00:00' }, view: 'calls', tz: 'utc' }).get('from')).toBe('2025-01-15T10:00:00');
  });
});
