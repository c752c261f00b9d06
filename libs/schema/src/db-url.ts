export type Dialect = 'postgres' | 'mysql';

/** The dialect a DB_URL selects; throws an Error naming DB_URL for anything else. */
export function dialectOf(dbUrl: string): Dialect {
  let protocol: string;
  try {
    protocol = new URL(dbUrl).protocol;
  } catch {
    throw new Error('DB_URL: not a URL (expected postgres://, postgresql:// or mysql://user@host:port/database)');
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:') return 'postgres';
  if (protocol === 'mysql:') return 'mysql';
  throw new Error(`DB_URL: unsupported scheme "${protocol}" (expected postgres://, postgresql:// or mysql://)`);
}

/** The database named in the URL path. */
export function databaseOf(dbUrl: string): string {
  const name = decodeURIComponent(new URL(dbUrl).pathname.slice(1));
  if (name === '' || name.includes('/') || name.includes('\0') || name.length > 63) {
    throw new Error('DB_URL: expected a database name in the path (e.g. postgres://postgres@127.0.0.1:5432/sipcapture)');
  }
  return name;
}

/** The same URL pointing at another database ('' for none). Credentials and query are kept. */
export function withDatabase(dbUrl: string, database: string): string {
  const u = new URL(dbUrl);
  u.pathname = database === '' ? '' : '/' + encodeURIComponent(database);
  return u.toString();
}
