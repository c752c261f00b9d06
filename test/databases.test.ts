import { describe, expect, it } from 'vitest';
import { Client } from 'pg';
import mysql from 'mysql2/promise';
import { uniqueName } from './support/kafka';

// The foundation check: both SQL servers are reachable through the drivers sipcap uses, and rows
// written through them come back unchanged.
describe('PostgreSQL and MariaDB (real servers)', () => {
  const table = uniqueName('t').replace(/-/g, '_');
  const rows = [
    { id: 1, callid: 'abc@host', msg: Buffer.from('INVITE sip:a@b SIP/2.0\r\n\r\n') },
    { id: 2, callid: `it's "quoted" \\ and ; DROP TABLE x; --`, msg: Buffer.from([0, 1, 2, 0xff, 0xfe]) },
  ];

  it('writes and reads rows with pg', async () => {
    const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await c.connect();
    try {
      await c.query(`CREATE TEMP TABLE ${table} (id int primary key, callid varchar(120), msg bytea)`);
      for (const r of rows) await c.query(`INSERT INTO ${table} VALUES ($1, $2, $3)`, [r.id, r.callid, r.msg]);
      const got = await c.query(`SELECT id, callid, msg FROM ${table} ORDER BY id`);
      expect(got.rows.map((r) => [r.id, r.callid, Buffer.compare(r.msg, rows[r.id - 1].msg)])).toEqual(
        rows.map((r) => [r.id, r.callid, 0]),
      );
    } finally {
      await c.end();
    }
  });

  it('writes and reads rows with mysql2', async () => {
    const c = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/mysql' });
    try {
      await c.query(`CREATE TEMPORARY TABLE ${table} (id int primary key, callid varchar(120), msg mediumblob)`);
      await c.query(`INSERT INTO ${table} VALUES ?`, [rows.map((r) => [r.id, r.callid, r.msg])]);
      const [got] = await c.query<mysql.RowDataPacket[]>(`SELECT id, callid, msg FROM ${table} ORDER BY id`);
      expect(got.map((r) => [r.id, r.callid, Buffer.compare(r.msg, rows[r.id - 1].msg)])).toEqual(rows.map((r) => [r.id, r.callid, 0]));
    } finally {
      await c.end();
    }
  });

  it('fails when a server is absent', async () => {
    const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMillis: 1000 });
    await expect(c.connect()).rejects.toThrow();
    await expect(mysql.createConnection({ uri: 'mysql://root@127.0.0.1:1/mysql', connectTimeout: 1000 })).rejects.toThrow();
  });
});
