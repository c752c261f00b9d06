import { describe, expect, it } from 'vitest';
import { encodeCursor } from './cursor';
import { DEFAULT_LIMIT, parseSearchQuery } from './search-query';

const NOW = Date.UTC(2025, 0, 15, 10, 0, 0);

describe('parseSearchQuery', () => {
  it('searches the last hour, newest 100, with no filter by default', () => {
    const r = parseSearchQuery({}, NOW);
    expect(r).toEqual({
      ok: true,
      query: { fromMs: NOW - 3_600_000, toMs: NOW, filters: {}, limit: DEFAULT_LIMIT, offset: 0, before: undefined },
    });
  });

  it('takes the time range, filters, limit and offset; blank values are absent', () => {
    const r = parseSearchQuery(
      { from: '2025-01-14T00:00:00Z', to: '1736935200000', callid: ' abc@x ', method: '4xx', node: '', limit: '20', offset: '40' },
      NOW,
    );
    expect(r.ok && r.query).toEqual({
      fromMs: Date.UTC(2025, 0, 14),
      toMs: NOW,
      filters: { callid: 'abc@x', method: '4xx' },
      limit: 20,
      offset: 40,
      before: undefined,
    });
  });

  it('a `to` alone moves the default hour with it', () => {
    const r = parseSearchQuery({ to: '2025-01-01T01:00:00Z' }, NOW);
    expect(r.ok && [r.query.fromMs, r.query.toMs]).toEqual([Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 1)]);
  });

  it('reads a cursor', () => {
    const before = { date: '2025-01-15 09:59:00.5', id: '42', table: 'sip_capture' };
    const r = parseSearchQuery({ before: encodeCursor(before) }, NOW);
    expect(r.ok && r.query.before).toEqual(before);
  });

  it.each([
    [{ caller: 'alice' }, 'caller'],
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2025-01-16T00:00:00Z' }, 'from'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ before: 'xyz' }, 'before'],
    [{ before: encodeCursor({ date: '2025-01-15 09:59:00', id: '1', table: 't' }), offset: '10' }, 'offset'],
    [{ from_user: 'x'.repeat(101) }, 'from_user'],
    [{ callid: ['a', 'b'] }, 'callid'],
    [{ source_ip: '10.0.0.300' }, 'source_ip'],
    [{ destination_ip: 'bob' }, 'destination_ip'],
    [{ to_user: '*' }, 'to_user'],
  ])('refuses %j naming %s', (params, field) => {
    const r = parseSearchQuery(params as Record<string, unknown>, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.field).toBe(field);
  });

  it('takes IPv4 and IPv6 addresses, and a user or Call-ID prefix as given (the * kept for the SQL)', () => {
    const r = parseSearchQuery(
      { source_ip: '2001:db8::1', destination_ip: '10.0.0.1', callid: 'abc*', from_user: `${'x'.repeat(100)}*` },
      NOW,
    );
    expect(r.ok && r.query.filters).toEqual({
      source_ip: '2001:db8::1',
      destination_ip: '10.0.0.1',
      callid: 'abc*',
      from_user: `${'x'.repeat(100)}*`,
    });
  });
});
