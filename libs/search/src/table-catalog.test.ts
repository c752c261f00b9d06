import { describe, expect, it } from 'vitest';
import type { DbRow, SearchDb } from './search-db';
import { TableCatalog } from './table-catalog';

function fakeDb(dialect: 'postgres' | 'mysql', listings: DbRow[][]): SearchDb & { reads: number } {
  const db = {
    dialect,
    reads: 0,
    async query() {
      return listings[Math.min(db.reads++, listings.length - 1)];
    },
    async close() {},
  };
  return db;
}

describe('TableCatalog', () => {
  it('keeps the candidates that exist, with their msg_raw column, in order', async () => {
    const db = fakeDb('postgres', [
      [
        { name: 'b', has_msg_raw: true },
        { name: 'a', has_msg_raw: false },
        { name: 'other', has_msg_raw: true },
      ],
    ]);
    const c = new TableCatalog(db);
    expect(await c.existing(['a', 'b', 'missing'])).toEqual([
      { name: 'a', hasMsgRaw: false },
      { name: 'b', hasMsgRaw: true },
    ]);
  });

  it('reads the listing once per minute, sooner when a candidate is missing', async () => {
    let now = 0;
    const db = fakeDb('postgres', [
      [{ name: 'a', has_msg_raw: true }],
      [
        { name: 'a', has_msg_raw: true },
        { name: 'new', has_msg_raw: true },
      ],
    ]);
    const c = new TableCatalog(db, { now: () => now });
    await c.existing(['a']);
    now = 30_000;
    await c.existing(['a']);
    expect(db.reads).toBe(1);
    now = 30_001;
    expect((await c.existing(['a', 'new'])).map((t) => t.name)).toEqual(['a', 'new']); // missing, listing 30 s old
    expect(db.reads).toBe(2);
    now = 31_000;
    await c.existing(['a', 'never']); // missing again, but the listing is 1 s old
    expect(db.reads).toBe(2);
    now = 100_000;
    await c.existing(['a']);
    expect(db.reads).toBe(3);
  });

  it('shares one read between concurrent requests', async () => {
    const db = fakeDb('postgres', [[{ name: 'a', has_msg_raw: true }]]);
    const c = new TableCatalog(db);
    await Promise.all([c.existing(['a']), c.existing(['a']), c.existing(['a'])]);
    expect(db.reads).toBe(1);
  });

  it('finds MySQL tables whose names the server folded to lower case', async () => {
    const db = fakeDb('mysql', [[{ name: 'sip_capture', has_msg_raw: 0 }]]);
    expect(await new TableCatalog(db).existing(['SIP_Capture'])).toEqual([{ name: 'sip_capture', hasMsgRaw: false }]);
  });
});
