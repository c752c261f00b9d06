import pg from 'pg';
import { createConnection } from 'mysql2/promise';
import { dialectOf } from '@sipcap/schema';

/**
 * The size of DB_URL's database in bytes, on a connection of its own (opened and closed per reading:
 * it runs once a minute, and must not take a connection the insert lanes wait for).
 * - PostgreSQL: pg_database_size(current_database()): every file of the database (tables, indexes, TOAST,
 *   free space inside them), not the WAL or other databases of the server.
 * - MySQL/MariaDB: data_length + index_length + data_free of the database's tables in
 *   information_schema (InnoDB's figures are estimates; MySQL 8 caches them unless
 *   information_schema_stats_expiry is 0, which this session sets where the variable exists).
 */
export async function databaseSize(dbUrl: string): Promise<number> {
  if (dialectOf(dbUrl) === 'postgres') {
    const c = new pg.Client({ connectionString: dbUrl, application_name: 'sipcap-size', connectionTimeoutMillis: 10_000 });
    c.on('error', () => undefined);
    await c.connect();
    try {
      const r = await c.query<{ size: string }>('SELECT pg_database_size(current_database())::text AS size');
      return Number(r.rows[0].size);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  const c = await createConnection({ uri: dbUrl, connectTimeout: 10_000, supportBigNumbers: true, bigNumberStrings: true });
  c.on('error', () => undefined);
  try {
    await c.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined); // MariaDB has no such variable
    const [rows] = await c.query(
      'SELECT COALESCE(SUM(data_length + index_length + data_free), 0) AS size FROM information_schema.tables WHERE table_schema = DATABASE()',
    );
    return Number((rows as { size: string | number }[])[0].size);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * MySQL/MariaDB: free bytes on the file system that holds the server's data directory, from MariaDB's
 * DISKS plugin (information_schema.DISKS, in KiB; `INSTALL SONAME 'disks'`, needs the FILE privilege).
 * Throws an Error saying so when the plugin is missing. PostgreSQL has no such reading (and needs none: it
 * refuses a write on a full disk and goes on; MariaDB can abort, see DiskGuardOptions.minFreeBytes).
 */
export async function databaseFreeBytes(dbUrl: string): Promise<number> {
  if (dialectOf(dbUrl) === 'postgres')
    throw new Error('DB_DISK_MIN_FREE_MB: PostgreSQL has no reading of its free disk space (only MySQL/MariaDB)');
  const c = await createConnection({ uri: dbUrl, connectTimeout: 10_000 });
  c.on('error', () => undefined);
  try {
    // The mount point that holds the data directory: the longest path that is a prefix of it.
    const [rows] = await c
      .query(
        "SELECT Available AS kib FROM information_schema.DISKS WHERE @@datadir LIKE CONCAT(TRIM(TRAILING '/' FROM Path), '/%') ORDER BY LENGTH(Path) DESC LIMIT 1",
      )
      .catch((e: { errno?: number; message?: string }) => {
        if (e.errno !== 1109) throw e; // ER_UNKNOWN_TABLE
        throw new Error(
          "DB_DISK_MIN_FREE_MB needs MariaDB's DISKS plugin (INSTALL SONAME 'disks') to read the free space of the data directory",
          { cause: e },
        );
      });
    const row = (rows as { kib: string | number }[])[0];
    if (!row) throw new Error('DB_DISK_MIN_FREE_MB: information_schema.DISKS lists no file system holding the data directory');
    return Number(row.kib) * 1024;
  } finally {
    await c.end().catch(() => undefined);
  }
}
