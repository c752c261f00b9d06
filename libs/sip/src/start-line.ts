import { CR, SP, isDigit, isToken } from './chars';
import type { Latin1Text } from './latin1-text';

/**
 * The first line of a SIP message: a Request-Line or a Status-Line (RFC 3261 §7.1, §7.2). The method
 * starts where the line starts; `reasonStart` is where the reason phrase lies.
 */
export type StartLine =
  | {
      ok: true;
      isRequest: true;
      method: string;
      ruriStart: number;
      ruriEnd: number;
      statusCode: 0;
      reason: '';
      reasonStart: -1;
      next: number;
    }
  | {
      ok: true;
      isRequest: false;
      method: '';
      ruriStart: 0;
      ruriEnd: 0;
      statusCode: number;
      reason: string;
      reasonStart: number;
      next: number;
    }
  | { ok: false; message: string; next: number };

/** Whether [start, end) is `SIP/<digits>.<digits>` ("SIP" in any case). */
export function isSipVersion(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 7) return false;
  if ((b[start] | 0x20) !== 0x73 || (b[start + 1] | 0x20) !== 0x69 || (b[start + 2] | 0x20) !== 0x70 || b[start + 3] !== 0x2f) return false;
  let p = start + 4;
  const major = p;
  while (p < end && isDigit(b[p])) p++;
  if (p === major || p >= end || b[p] !== 0x2e) return false;
  const minor = ++p;
  while (p < end && isDigit(b[p])) p++;
  return p > minor && p === end;
}

/**
 * Parses the start line at `start` (leading empty lines already skipped). `next` is the offset of
 * the line after it, so that the header scan can go on even when the line is not SIP.
 */
export function parseStartLine(t: Latin1Text, start: number): StartLine {
  const s = t.str;
  const b = t.bytes;
  let lf = s.indexOf('\n', start);
  const next = lf < 0 ? s.length : lf + 1;
  if (lf < 0) lf = s.length;
  const end = lf > start && b[lf - 1] === CR ? lf - 1 : lf;

  const sp1 = s.indexOf(' ', start);
  if (sp1 < 0 || sp1 >= end) return { ok: false, message: 'start line has no space', next };

  if (isSipVersion(b, start, sp1)) {
    // Status-Line: SIP-Version SP Status-Code SP Reason-Phrase (the phrase may be empty).
    const cs = sp1 + 1;
    if (cs + 3 > end || !isDigit(b[cs]) || !isDigit(b[cs + 1]) || !isDigit(b[cs + 2])) {
      return { ok: false, message: 'status line without a 3-digit status code', next };
    }
    const code = (b[cs] - 0x30) * 100 + (b[cs + 1] - 0x30) * 10 + (b[cs + 2] - 0x30);
    if (code < 100) return { ok: false, message: `status code ${code} out of range`, next };
    const after = cs + 3;
    if (after < end && b[after] !== SP) return { ok: false, message: 'status code longer than 3 digits', next };
    const reasonStart = after < end ? after + 1 : end;
    const reason = s.substring(reasonStart, end);
    return { ok: true, isRequest: false, method: '', ruriStart: 0, ruriEnd: 0, statusCode: code, reason, reasonStart, next };
  }

  // Request-Line: Method SP Request-URI SP SIP-Version
  if (!isToken(b, start, sp1)) return { ok: false, message: 'start line is neither a request nor a status line', next };
  const us = sp1 + 1;
  const sp2 = s.indexOf(' ', us);
  if (sp2 < 0 || sp2 >= end || sp2 === us) return { ok: false, message: 'request line without Request-URI and version', next };
  if (!isSipVersion(b, sp2 + 1, end)) return { ok: false, message: 'request line does not end in a SIP version', next };
  return {
    ok: true,
    isRequest: true,
    method: s.substring(start, sp1),
    ruriStart: us,
    ruriEnd: sp2,
    statusCode: 0,
    reason: '',
    reasonStart: -1,
    next,
  };
}
