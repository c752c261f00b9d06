import { errorCode, errorMessage, NETWORK_CODES, StoreError, type StoreErrorKind } from './store-error';

/** MySQL/MariaDB server and client error numbers with their kind and reason. */
const MYSQL_ERRNOS: Record<number, [StoreErrorKind, string]> = {
  1205: ['retryable', 'lock_timeout'],
  1213: ['retryable', 'deadlock'],
  1040: ['retryable', 'too_many_connections'],
  1203: ['retryable', 'too_many_connections'],
  1053: ['retryable', 'shutdown'],
  1077: ['retryable', 'shutdown'],
  1152: ['retryable', 'connection'],
  1158: ['retryable', 'connection'],
  1159: ['retryable', 'connection'],
  1160: ['retryable', 'connection'],
  1161: ['retryable', 'connection'],
  1927: ['retryable', 'connection'], // MariaDB: connection killed
  4031: ['retryable', 'connection'], // MySQL: disconnected for inactivity
  2002: ['retryable', 'connection'],
  2003: ['retryable', 'connection'],
  2006: ['retryable', 'connection'],
  2013: ['retryable', 'connection'],
  2055: ['retryable', 'connection'],
  1021: ['retryable', 'disk_full'],
  1114: ['retryable', 'table_full'],
  1290: ['retryable', 'read_only'],
  1792: ['retryable', 'read_only'],
  1836: ['retryable', 'read_only'],
  1037: ['retryable', 'out_of_memory'],
  1038: ['retryable', 'out_of_memory'],
  1041: ['retryable', 'resources'],
  1135: ['retryable', 'resources'],
  1637: ['retryable', 'resources'],
  1317: ['retryable', 'canceled'],
  1969: ['retryable', 'canceled'], // MariaDB: statement timeout
  3024: ['retryable', 'canceled'], // MySQL: statement timeout
  1616: ['retryable', 'delayed_unsupported'], // the store falls back to plain INSERT and retries
  1146: ['retryable', 'missing_table'], // the store forgets the table and creates it again on retry
  1406: ['data', 'value_too_long'],
  1366: ['data', 'invalid_encoding'],
  1300: ['data', 'invalid_encoding'],
  1264: ['data', 'out_of_range'],
  1265: ['data', 'invalid_value'],
  1292: ['data', 'invalid_value'],
  1367: ['data', 'invalid_value'],
  1048: ['data', 'constraint'],
  1062: ['data', 'constraint'],
  1451: ['data', 'constraint'],
  1452: ['data', 'constraint'],
  3819: ['data', 'constraint'], // MySQL CHECK
  4025: ['data', 'constraint'], // MariaDB CHECK
  1153: ['data', 'too_large'], // one row above max_allowed_packet
  1045: ['fatal', 'auth'],
  1044: ['fatal', 'permission'],
  1142: ['fatal', 'permission'],
  1049: ['fatal', 'unknown_database'],
  1054: ['fatal', 'schema'],
};

const CLIENT_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_QUIT']);
const CLIENT_MESSAGES = ['closed state', 'Pool is closed', 'Connection lost'];

/** Maps a mysql2 error to a StoreError (a StoreError passes through). */
export function classifyMysqlError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = errorCode(e);
  const errno = (e as { errno?: unknown } | null)?.errno;
  const message = errorMessage(e);
  const label = typeof errno === 'number' && errno > 0 ? String(errno) : code;
  const make = (kind: StoreErrorKind, reason: string) => new StoreError(kind, reason, `MySQL: ${message}`, label, { cause: e });
  if (typeof errno === 'number') {
    const known = MYSQL_ERRNOS[errno];
    if (known) return make(known[0], known[1]);
  }
  if (code !== undefined && (NETWORK_CODES.has(code) || CLIENT_CODES.has(code))) return make('retryable', 'connection');
  if (CLIENT_MESSAGES.some((m) => message.includes(m))) return make('retryable', 'connection');
  if (typeof errno === 'number' && errno > 0) return make('fatal', 'server_error');
  return make('fatal', 'unexpected');
}
