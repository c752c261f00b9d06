import { describe, expect, it } from 'vitest';
import { checkSearchCost, INDEXED_FILTERS } from './search-cost';
import type { SearchQuery } from './search-query';

const DAY = 86_400_000;
const q = (rangeMs: number, filters: SearchQuery['filters'] = {}): SearchQuery => ({
  fromMs: 0,
  toMs: rangeMs,
  filters,
  limit: 100,
  offset: 0,
});

describe('checkSearchCost', () => {
  it('knows the indexed filters from the DDL: Call-ID and the users, not method, addresses or node', () => {
    expect([...INDEXED_FILTERS].sort()).toEqual(['auth_user', 'callid', 'from_user', 'pid_user', 'ruri_user', 'to_user']);
  });

  it('takes a range up to the cap without an indexed filter', () => {
    expect(checkSearchCost(q(DAY), DAY)).toEqual({ ok: true });
    expect(checkSearchCost(q(DAY, { method: 'INVITE', source_ip: '10.0.0.1' }), DAY)).toEqual({ ok: true });
  });

  it('refuses a wider range without an indexed filter, naming the setting and the columns', () => {
    const r = checkSearchCost(q(DAY + 1, { method: 'INVITE', node: 'n1' }), DAY);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe('from');
      expect(r.message).toContain('1 day');
      expect(r.message).toContain('WEB_SEARCH_MAX_RANGE_S');
      expect(r.message).toContain('callid, from_user, to_user, ruri_user, pid_user, auth_user');
    }
  });

  it('takes any range with a filter on an indexed column', () => {
    for (const f of INDEXED_FILTERS) expect(checkSearchCost(q(365 * DAY, { [f]: 'x' }), DAY)).toEqual({ ok: true });
  });

  it('keeps the range limit for a prefix filter (PostgreSQL serves LIKE by the index only under the C collation)', () => {
    expect(checkSearchCost(q(2 * DAY, { from_user: 'al*' }), DAY)).toMatchObject({ ok: false, field: 'from' });
    expect(checkSearchCost(q(2 * DAY, { from_user: 'al*', callid: 'x' }), DAY)).toEqual({ ok: true });
  });
});
