import { isUtf8 } from 'node:buffer';

/**
 * PostgreSQL `text` cannot hold NUL bytes or invalid UTF-8, yet `msg` must keep the bytes as captured and
 * Homer reads `msg` as text. So `msg` holds the message as text whenever that is exact (valid UTF-8
 * without NUL: nearly every SIP message), and otherwise a readable UTF-8 rendering (U+FFFD for invalid
 * bytes and NUL) while the extra nullable `msg_raw bytea` column holds the exact bytes.
 * Exact bytes of any row: `coalesce(msg_raw, convert_to(msg, 'UTF8'))`.
 */

/** True when `msg text` can hold these bytes exactly. */
export function msgFitsPgText(msg: Buffer): boolean {
  return msg.indexOf(0) === -1 && isUtf8(msg);
}

/** U+FFFD in place of NUL, which PostgreSQL text cannot hold. */
export function replaceNul(s: string): string {
  return s.indexOf('\0') === -1 ? s : s.replaceAll('\0', '\uFFFD');
}

/** The readable rendering stored in `msg` when `msg_raw` carries the bytes. */
export function msgLossyText(msg: Buffer): string {
  return replaceNul(msg.toString('utf8'));
}
