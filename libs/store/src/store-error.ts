/**
 * What a failed write means for the caller:
 * - retryable: the server or the connection is unavailable or busy (refused, reset, shutting down,
 *   deadlock, lock timeout, read-only, too many connections, disk full, missing table). Retry the same
 *   batch later; nothing of it was committed.
 * - data: a row's values are refused (constraint, value too long, bad encoding, bad value type). Retrying
 *   cannot help: write with `onRejected` to store the other rows and hand over the refused ones.
 * - fatal: configuration or schema problem (authentication, permissions, unknown database, a table whose
 *   columns differ). Needs an operator.
 */
export type StoreErrorKind = 'retryable' | 'data' | 'fatal';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    /** Short machine-readable reason, usable as a metrics label (`deadlock`, `value_too_long`, ...). */
    readonly reason: string,
    message: string,
    /** The server's error code (SQLSTATE, MySQL errno) or Node's (`ECONNREFUSED`), when there is one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreError(e: unknown): e is StoreError {
  return e instanceof StoreError;
}

/** Node socket error codes that mean the server could not be reached or the connection broke. */
export const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENOTCONN',
  'ESHUTDOWN',
]);

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
