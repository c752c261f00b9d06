import { describe, it, expect } from 'vitest';
import { classifyPgError } from './classify-pg-error';
import { classifyMysqlError } from './classify-mysql-error';
import { StoreError } from './store-error';

const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('classifyPgError', () => {
  it.each([
    ['connect ECONNREFUSED', { code: 'ECONNREFUSED' }, 'retryable', 'connection'],
    ['read ECONNRESET', { code: 'ECONNRESET' }, 'retryable', 'connection'],
    ['Connection terminated unexpectedly', {}, 'retryable', 'connection'],
    ['terminating connection due to administrator command', { code: '57P01' }, 'retryable', 'shutdown'],
    ['the database system is shutting down', { code: '57P03' }, 'retryable', 'shutdown'],
    ['deadlock detected', { code: '40P01' }, 'retryable', 'deadlock'],
    ['canceling statement due to lock timeout', { code: '55P03' }, 'retryable', 'lock_timeout'],
    ['cannot execute COPY in a read-only transaction', { code: '25006' }, 'retryable', 'read_only'],
    ['sorry, too many clients already', { code: '53300' }, 'retryable', 'too_many_connections'],
    ['could not extend file: No space left on device', { code: '53100' }, 'retryable', 'disk_full'],
    ['connection failure', { code: '08006' }, 'retryable', 'connection'],
    ['relation "x" does not exist', { code: '42P01' }, 'retryable', 'missing_table'],
    ['value too long for type character varying(50)', { code: '22001' }, 'data', 'value_too_long'],
    ['invalid byte sequence for encoding "UTF8": 0x00', { code: '22021' }, 'data', 'invalid_encoding'],
    ['new row violates check constraint', { code: '23514' }, 'data', 'constraint'],
    ['some other data exception', { code: '22012' }, 'data', 'invalid_value'],
    ['password authentication failed', { code: '28P01' }, 'fatal', 'auth'],
    ['permission denied for table', { code: '42501' }, 'fatal', 'permission'],
    ['syntax error', { code: '42601' }, 'fatal', 'server_error'],
    ['undefined is not a function', {}, 'fatal', 'unexpected'],
  ])('%s', (message, extra, kind, reason) => {
    const e = classifyPgError(err(message, extra));
    expect(e).toBeInstanceOf(StoreError);
    expect([e.kind, e.reason]).toEqual([kind, reason]);
    expect(e.message).toContain(message);
  });

  it('passes a StoreError through', () => {
    const original = new StoreError('data', 'constraint', 'x');
    expect(classifyPgError(original)).toBe(original);
  });
});

describe('classifyMysqlError', () => {
  it.each([
    ['connect ECONNREFUSED', { code: 'ECONNREFUSED', errno: -111 }, 'retryable', 'connection'],
    ['Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST' }, 'retryable', 'connection'],
    ["Can't add new command when connection is in closed state", {}, 'retryable', 'connection'],
    ['Deadlock found', { code: 'ER_LOCK_DEADLOCK', errno: 1213 }, 'retryable', 'deadlock'],
    ['Lock wait timeout exceeded', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, 'retryable', 'lock_timeout'],
    ['Too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040 }, 'retryable', 'too_many_connections'],
    ['Server shutdown in progress', { code: 'ER_SERVER_SHUTDOWN', errno: 1053 }, 'retryable', 'shutdown'],
    ['The MariaDB server is running with the --read-only option', { errno: 1290 }, 'retryable', 'read_only'],
    ['Disk full', { errno: 1021 }, 'retryable', 'disk_full'],
    ["DELAYED option not supported for table 't'", { errno: 1616 }, 'retryable', 'delayed_unsupported'],
    ["Data too long for column 'method' at row 1", { code: 'ER_DATA_TOO_LONG', errno: 1406 }, 'data', 'value_too_long'],
    ["Incorrect string value: '\\xFF' for column", { errno: 1366 }, 'data', 'invalid_encoding'],
    ['CONSTRAINT `c` failed for `db`.`t`', { errno: 4025 }, 'data', 'constraint'],
    ["Access denied for user 'x'", { errno: 1045 }, 'fatal', 'auth'],
    ['You have an error in your SQL syntax', { errno: 1064 }, 'fatal', 'server_error'],
    ['boom', {}, 'fatal', 'unexpected'],
  ])('%s', (message, extra, kind, reason) => {
    const e = classifyMysqlError(err(message, extra));
    expect([e.kind, e.reason]).toEqual([kind, reason]);
  });
});
