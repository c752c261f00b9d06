import { describe, expect, it } from 'vitest';
import { SqlParams } from './sql-params';

describe('SqlParams', () => {
  it('numbers PostgreSQL parameters and reuses the number of a repeated value', () => {
    const p = new SqlParams('postgres');
    expect([p.add('a'), p.add(5), p.add('a'), p.list(['b', 'a'])]).toEqual(['$1', '$2', '$1', '($3, $1)']);
    expect(p.values).toEqual(['a', 5, 'b']);
  });

  it('keeps the string "5" and the number 5 apart', () => {
    const p = new SqlParams('postgres');
    expect([p.add('5'), p.add(5)]).toEqual(['$1', '$2']);
  });

  it('repeats MySQL values for each ? in order', () => {
    const p = new SqlParams('mysql');
    expect([p.add('a'), p.add('a'), p.list(['b', 'c'])]).toEqual(['?', '?', '(?, ?)']);
    expect(p.values).toEqual(['a', 'a', 'b', 'c']);
  });
});
