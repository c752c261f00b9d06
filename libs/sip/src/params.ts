import { BACKSLASH, COMMA, DQUOTE, EQUALS, GT, HT, LOWER, LT, SEMI, SP } from './chars';
import type { Latin1Text, TextRange } from './latin1-text';

/** Index of the quote closing the quoted-string that opens at `p` (`\` escapes), or -1 when unclosed. */
export function closingQuote(b: Uint8Array, p: number, end: number): number {
  for (let i = p + 1; i < end; i++) {
    const c = b[i];
    if (c === BACKSLASH) i++;
    else if (c === DQUOTE) return i;
  }
  return -1;
}

/**
 * End of the first element of a comma-separated header value (`a, b` -> index of the comma), not
 * counting commas inside quoted strings or <...> (a URI in angle brackets may hold commas).
 */
export function listElementEnd(t: Latin1Text, start: number, end: number): number {
  const b = t.bytes;
  let p = start;
  while (p < end) {
    const c = b[p];
    if (c === COMMA) return p;
    if (c === DQUOTE) {
      const q = closingQuote(b, p, end);
      p = q < 0 ? end : q + 1;
    } else if (c === LT) {
      const gt = t.str.indexOf('>', p + 1);
      p = gt < 0 || gt >= end ? end : gt + 1;
    } else p++;
  }
  return end;
}

function isNameEnd(c: number): boolean {
  return c === EQUALS || c === SEMI || c === SP || c === HT || c === COMMA || c === GT;
}

function isValueEnd(c: number): boolean {
  return c === SEMI || c === SP || c === HT || c === COMMA || c === GT;
}

/**
 * Value of the `;name=value` parameter in [start, end) (generic-param of RFC 3261: LWS allowed
 * around `;` and `=`, the value a token, host or quoted-string). `lowerName` must be lower case;
 * names match case-insensitively. A quoted value comes without its quotes, escapes as written.
 * Returns '' for a parameter without a value, undefined when absent. Stops at a top-level ','
 * (the end of a list element). When found, `range` (if given) gets where the value lies in `t`.
 */
export function findParam(t: Latin1Text, start: number, end: number, lowerName: string, range?: TextRange): string | undefined {
  const b = t.bytes;
  const len = lowerName.length;
  let p = start;
  let c: number;
  while (p < end) {
    c = b[p];
    if (c === DQUOTE) {
      const q = closingQuote(b, p, end);
      p = q < 0 ? end : q + 1;
      continue;
    }
    // A top-level comma ends the list element: parameter values never hold one unquoted.
    if (c === COMMA) return undefined;
    if (c !== SEMI) {
      p++;
      continue;
    }
    p++;
    while (p < end && ((c = b[p]) === SP || c === HT)) p++;
    const ns = p;
    while (p < end && !isNameEnd(b[p])) p++;
    let match = p - ns === len;
    for (let i = 0; match && i < len; i++) match = LOWER[b[ns + i]] === lowerName.charCodeAt(i);
    while (p < end && ((c = b[p]) === SP || c === HT)) p++;
    const hasValue = p < end && b[p] === EQUALS;
    if (!match) continue;
    let vs = p;
    let ve = p;
    if (hasValue) {
      p++;
      while (p < end && ((c = b[p]) === SP || c === HT)) p++;
      if (p < end && b[p] === DQUOTE) {
        const q = closingQuote(b, p, end);
        vs = p + 1;
        ve = q < 0 ? end : q;
      } else {
        vs = p;
        while (p < end && !isValueEnd(b[p])) p++;
        ve = p;
      }
    }
    if (range !== undefined) {
      range.start = vs;
      range.end = ve;
    }
    return vs === ve ? '' : t.str.substring(vs, ve);
  }
  return undefined;
}
