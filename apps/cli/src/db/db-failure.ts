import { redactUrl } from '@sipcap/config';
import { dialectOf } from '@sipcap/schema';
import { errorText } from '../cli-errors';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/** What to tell the operator when the database fails: unreachable, or what it answered. */
export function dbFailureText(dbUrl: string, e: unknown): string {
  let server = 'the database';
  try {
    server = dialectOf(dbUrl) === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  } catch {
    // an unusable URL is reported by the message itself
  }
  const code = codeOf(e);
  const where = `${server} at ${redactUrl(dbUrl)} (DB_URL)`;
  if (code !== undefined && UNREACHABLE.has(code)) return `cannot reach ${where}: ${errorText(e)}; start it or point DB_URL at it`;
  if (/timeout/i.test(errorText(e))) return `cannot reach ${where}: ${errorText(e)}; start it or point DB_URL at it`;
  return `${where} refused: ${errorText(e)}`;
}

function codeOf(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    if (cur instanceof AggregateError && cur.errors.length > 0) cur = cur.errors[0];
    else cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
