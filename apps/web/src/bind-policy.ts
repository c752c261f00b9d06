import { isIP } from 'node:net';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export type BindPolicy = { ok: true; auth: boolean } | { ok: false; message: string };

/**
 * The web app shows captured calls (numbers, names, message bodies): on loopback it may run without a
 * token; bound anywhere else it needs WEB_AUTH_TOKEN, or it refuses to start.
 */
export function checkBindPolicy(host: string, token: string | undefined): BindPolicy {
  if (token !== undefined) return { ok: true, auth: true };
  if (isLoopbackHost(host)) return { ok: true, auth: false };
  return {
    ok: false,
    message: `refusing to listen on ${host} without WEB_AUTH_TOKEN: set WEB_AUTH_TOKEN (at least 16 characters) or bind WEB_LISTEN to 127.0.0.1`,
  };
}
