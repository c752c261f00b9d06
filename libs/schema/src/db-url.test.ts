import { describe, it, expect } from 'vitest';
import { databaseOf, dialectOf, withDatabase } from './db-url';

describe('DB_URL', () => {
  it.each([
    ['postgres://postgres@127.0.0.1:5432/sipcapture', 'postgres'],
    ['postgresql://u:p@db/x', 'postgres'],
    ['mysql://root@127.0.0.1:3306/sipcapture', 'mysql'],
  ])('%s selects %s', (url, dialect) => {
    expect(dialectOf(url)).toBe(dialect);
  });

  it.each(['http://127.0.0.1/db', 'mariadb://x/y', 'sqlite:/tmp/x', 'nonsense'])('rejects %s naming DB_URL', (url) => {
    expect(() => dialectOf(url)).toThrow(/DB_URL/);
  });

  it('reads and replaces the database, keeping credentials', () => {
    expect(databaseOf('postgres://u:p%40ss@h:5432/sip_db?sslmode=disable')).toBe('sip_db');
    expect(withDatabase('postgres://u:p%40ss@h:5432/sip_db?sslmode=disable', 'postgres')).toBe(
      'postgres://u:p%40ss@h:5432/postgres?sslmode=disable',
    );
    expect(withDatabase('mysql://root@h:3306/sip', '')).toBe('mysql://root@h:3306');
    expect(() => databaseOf('mysql://root@h:3306/')).toThrow(/DB_URL/);
  });
});
