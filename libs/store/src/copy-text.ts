import { escapeTable } from './byte-writer';

/**
 * PostgreSQL COPY text format: columns separated by tab, rows ended by newline, `\N` for NULL, and
 * backslash, tab, newline and carriage return written as `\\`, `\t`, `\n`, `\r`. Text cannot carry NUL,
 * so NUL becomes U+FFFD (see pg-msg.ts for how `msg` keeps its exact bytes anyway).
 */
export const COPY_ESCAPES = escapeTable({ 0x5c: '\\', 0x09: 't', 0x0a: 'n', 0x0d: 'r', 0x00: -1 });

/** The same escaping on a string (the reference the byte writer is tested against). */
export function escapeCopyText(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const e = c < 0x80 ? COPY_ESCAPES[c] : 0;
    if (e === 0) continue;
    out += s.slice(start, i) + (e > 0 ? '\\' + String.fromCharCode(e) : '\uFFFD');
    start = i + 1;
  }
  return start === 0 ? s : out + s.slice(start);
}
