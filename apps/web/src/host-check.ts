import { isIP } from 'node:net';

/**
 * True when an HTTP Host header names this machine by a loopback name: `localhost`, an address in
 * 127.0.0.0/8 or `[::1]`, each with an optional port. Without a token the app answers only such
 * requests: a page of another site whose name an attacker re-points at 127.0.0.1 (DNS rebinding) sends
 * its own name as Host and is refused. Anything else, a missing header included, is false.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return false;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.]+))(?::(\d{1,5}))?$/.exec(host);
  if (!m) return false;
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return false;
  if (m[1] !== undefined) return isIP(m[1]) === 6 && isLoopbackV6(m[1]);
  const name = m[2].toLowerCase();
  if (name === 'localhost') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** ::1 in any of its spellings (0:0:0:0:0:0:0:1, ::0:1, ...). */
function isLoopbackV6(text: string): boolean {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.length === 8 && groups.slice(0, 7).every((g) => Number.parseInt(g, 16) === 0) && Number.parseInt(groups[7], 16) === 1;
}
