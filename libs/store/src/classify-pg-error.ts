import { errorCode, errorMessage, NETWORK_CODES, StoreError, type StoreErrorKind } from './store-error';

/** SQLSTATEs with their own kind and reason; whole classes are handled below. */
const PG_CODES: Record<string, [StoreErrorKind, string]> = {
  '40001': ['retryable', 'serialization'],
  '40P01': ['retryable', 'deadlock'],
  '55P03': ['retryable', 'lock_timeout'],
  '57P01': ['retryable', 'shutdown'],
  '57P02': ['retryable', 'shutdown'],
  '57P03': ['retryable', 'shutdown'],
  '57014': ['retryable', 'canceled'],
  '53000': ['retryable', 'resources'],
  '53100': ['retryable', 'disk_full'],
  '53200': ['retryable', 'out_of_memory'],
  '53300': ['retryable', 'too_many_connections'],
  '53400': ['retryable', 'resources'],
  '25006': ['retryable', 'read_only'],
  '58030': ['retryable', 'io_error'],
  '42P01': ['retryable', 'missing_table'],
  '22001': ['data', 'value_too_long'],
  '22021': ['data', 'invalid_encoding'],
  '22P05': ['data', 'invalid_encoding'],
  '22P02': ['data', 'invalid_value'],
  '22003': ['data', 'out_of_range'],
  '22007': ['data', 'invalid_date'],
  '22008': ['data', 'invalid_date'],
  '54000': ['data', 'too_large'],
  '28000': ['fatal', 'auth'],
  '28P01': ['fatal', 'auth'],
  '3D000': ['fatal', 'unknown_database'],
  '42501': ['fatal', 'permission'],
  '42703': ['fatal', 'schema'],
};

/** Messages node-postgres uses, without a code, for a broken or unusable connection. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection error',
  'Client was closed',
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Query read timeout',
];

/** Maps a node-postgres error to a StoreError (a StoreError passes through). */
export function classifyPgError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = errorCode(e);
  const message = errorMessage(e);
  const make = (kind: StoreErrorKind, reason: string) => new StoreError(kind, reason, `PostgreSQL: ${message}`, code, { cause: e });
  if (code !== undefined) {
    const known = PG_CODES[code];
    if (known) return make(known[0], known[1]);
    if (NETWORK_CODES.has(code)) return make('retryable', 'connection');
    if (code.length === 5) {
      const cls = code.slice(0, 2);
      if (cls === '08') return make('retryable', 'connection');
      if (cls === '22') return make('data', 'invalid_value');
      if (cls === '23') return make('data', 'constraint');
      if (cls === '40' || cls === '53' || cls === '57') return make('retryable', 'unavailable');
      return make('fatal', 'server_error');
    }
  }
  if (PG_CONNECTION_MESSAGES.some((m) => message.includes(m))) return make('retryable', 'connection');
  return make('fatal', 'unexpected');
}
