import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import type { RedisSecuritySettings } from '@sipcap/config';

export type ReadFile = (path: string) => string | Buffer;

/**
 * ioredis options for the password and TLS settings, given with REDIS_URL to every connection:
 * REDIS_PASSWORD when the URL holds no password (the URL's own wins), and for a `rediss://` URL the TLS
 * files (REDIS_TLS_CA_FILE, else the system CAs; a client certificate and key when the server asks for
 * one). Files are read now, so a missing one stops the app at its start with the setting named.
 */
export function redisSecurityOptions(s: Partial<RedisSecuritySettings>, read: ReadFile = readFileSync): RedisOptions {
  const url = s.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const tls = url.startsWith('rediss://');
  const out: RedisOptions = {};
  if (s.REDIS_PASSWORD !== undefined) out.password = s.REDIS_PASSWORD;
  const files = (['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE'] as const).filter((n) => s[n] !== undefined);
  if (!tls && files.length > 0) throw new Error(`${files.join(', ')} set but REDIS_URL is not a rediss:// URL (TLS)`);
  if ((s.REDIS_TLS_CERT_FILE === undefined) !== (s.REDIS_TLS_KEY_FILE === undefined)) {
    throw new Error('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together (the client certificate and its private key)');
  }
  if (tls) {
    const file = (name: (typeof files)[number], path: string): Buffer => {
      try {
        const data = read(path);
        return Buffer.isBuffer(data) ? data : Buffer.from(data);
      } catch (e) {
        throw new Error(`${name}=${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
          cause: e,
        });
      }
    };
    const t: NonNullable<RedisOptions['tls']> = {};
    if (s.REDIS_TLS_CA_FILE !== undefined) t.ca = file('REDIS_TLS_CA_FILE', s.REDIS_TLS_CA_FILE);
    if (s.REDIS_TLS_CERT_FILE !== undefined) t.cert = file('REDIS_TLS_CERT_FILE', s.REDIS_TLS_CERT_FILE);
    if (s.REDIS_TLS_KEY_FILE !== undefined) t.key = file('REDIS_TLS_KEY_FILE', s.REDIS_TLS_KEY_FILE);
    out.tls = t;
  }
  return out;
}

/** A Redis error no reconnect can fix: a refused password or a failed certificate check; one line, or undefined. */
export function redisAccessFailure(e: unknown): string | undefined {
  const text = `${(e as Error | undefined)?.message ?? ''} ${(e as NodeJS.ErrnoException | undefined)?.code ?? ''}`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) {
    return `Redis refused the login (check the password in REDIS_URL or REDIS_PASSWORD): ${(e as Error).message}`;
  }
  if (/certificate|self[- ]signed|unable to verify|CERT_|ERR_TLS|wrong version number|alert/i.test(text)) {
    return `TLS to Redis failed (check REDIS_URL rediss://, REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE/REDIS_TLS_KEY_FILE): ${(e as Error).message}`;
  }
  return undefined;
}
