import { COLON, CR, HT, LF, LOWER, SP, trimEnd } from './chars';
import { compactFormOf } from './compact-names';
import type { Latin1Text } from './latin1-text';

/**
 * The set of headers one scan looks for, compiled once: a small hash of lower-case names (full and
 * compact forms) to slot numbers. Every other header is skipped after one bucket probe.
 */
export interface HeaderTable {
  /** Number of slots; slot i belongs to names[i]. */
  readonly slotCount: number;
  /** Lower-case full names, by slot. */
  readonly names: readonly string[];
  readonly mask: number;
  /** Bucket -> first entry, -1 when empty. */
  readonly head: Int32Array;
  /** Entry -> next entry in the same bucket, -1 at the end. */
  readonly next: Int32Array;
  /** Entry -> its lower-case name (full or compact) as bytes in keyBytes, and its slot. */
  readonly keyStart: Int32Array;
  readonly keyLength: Int32Array;
  readonly keyBytes: Uint8Array;
  readonly slotOf: Int32Array;
}

/**
 * Bucket hash of a name from its length and its first and last bytes (lower-cased): cheap enough
 * for every header line, and it spreads the few dozen names we look for.
 */
function hashName(len: number, first: number, last: number): number {
  return (len * 1021 + LOWER[first] * 31 + LOWER[last]) | 0;
}

/**
 * Compiles the table for `names` (lower-case full names, distinct, ASCII). Each name's compact
 * letter, when it has one, is registered for the same slot.
 */
export function compileHeaderTable(names: readonly string[]): HeaderTable {
  const keys: string[] = [];
  const slots: number[] = [];
  names.forEach((name, slot) => {
    keys.push(name);
    slots.push(slot);
    const letter = compactFormOf(name);
    if (letter !== undefined) {
      keys.push(letter);
      slots.push(slot);
    }
  });
  let size = 16;
  while (size < keys.length * 4) size *= 2;
  const mask = size - 1;
  const head = new Int32Array(size).fill(-1);
  const next = new Int32Array(keys.length).fill(-1);
  const keyBytes = Buffer.from(keys.join(''), 'latin1');
  const keyStart = new Int32Array(keys.length);
  const keyLength = new Int32Array(keys.length);
  let offset = 0;
  keys.forEach((k, e) => {
    keyStart[e] = offset;
    keyLength[e] = k.length;
    offset += k.length;
  });
  // Insert in reverse so that a bucket lists entries in registration order.
  for (let e = keys.length - 1; e >= 0; e--) {
    const first = keyBytes[keyStart[e]];
    const last = keyBytes[keyStart[e] + keyLength[e] - 1];
    const b = hashName(keyLength[e], first, last) & mask;
    next[e] = head[b];
    head[b] = e;
  }
  return { slotCount: names.length, names, mask, head, next, keyStart, keyLength, keyBytes, slotOf: Int32Array.from(slots) };
}

/** Slot layout in the scratch array filled by scanHeaders: value start, value end, folded flag. */
export const SLOT_STRIDE = 3;

/** A scratch array for scanHeaders, sized for `table`. */
export function allocSlots(table: HeaderTable): Int32Array {
  return new Int32Array(table.slotCount * SLOT_STRIDE);
}

function lookup(table: HeaderTable, b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  const keyBytes = table.keyBytes;
  for (let e = table.head[hashName(len, b[start], b[end - 1]) & table.mask]; e >= 0; e = table.next[e]) {
    if (table.keyLength[e] !== len) continue;
    const k = table.keyStart[e];
    let i = 0;
    while (i < len && LOWER[b[start + i]] === keyBytes[k + i]) i++;
    if (i === len) return table.slotOf[e];
  }
  return -1;
}

/**
 * One pass over the header section of `t`, from `pos` (the first header line) to the empty line.
 * For each header of `table`, the FIRST line wins: its value range (leading and trailing whitespace
 * trimmed, continuation lines included) goes into `slots[slot*3]`, `slots[slot*3+1]`, and
 * `slots[slot*3+2]` is 1 when continuation lines were joined (see headerValue). Absent headers keep
 * start -1. Lines without a colon are skipped. CRLF and bare LF line ends are both accepted.
 * Returns the offset of the body (after the empty line), or the text length when there is no end.
 *
 * Line ends and colons are found with String#indexOf (native); names are compared on the bytes.
 */
export function scanHeaders(t: Latin1Text, pos: number, table: HeaderTable, slots: Int32Array): number {
  // A loop, not slots.fill(-1): for a few dozen entries the builtin's call costs more than the stores.
  for (let i = 0; i < slots.length; i += SLOT_STRIDE) slots[i] = -1;
  const s = t.str;
  const b = t.bytes;
  const n = s.length;
  let c: number;
  while (pos < n) {
    c = b[pos];
    if (c === LF) return pos + 1;
    if (c === CR) return pos + 1 < n && b[pos + 1] === LF ? pos + 2 : pos + 1;
    let lineEnd = s.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = n;

    if (c !== SP && c !== HT) {
      // Names are short: a byte loop finds the colon sooner than a native search call.
      let colon = pos + 1;
      while (colon < lineEnd && b[colon] !== COLON) colon++;
      if (colon < lineEnd) {
        let nameEnd = colon;
        while (nameEnd > pos && ((c = b[nameEnd - 1]) === SP || c === HT)) nameEnd--;
        const slot = nameEnd > pos ? lookup(table, b, pos, nameEnd) : -1;
        if (slot >= 0 && slots[slot * SLOT_STRIDE] < 0) {
          pos = takeValue(t, colon + 1, lineEnd, slots, slot * SLOT_STRIDE);
          continue;
        }
      }
    }
    // Not wanted, a repeat, or not a header line: skip it and its continuation lines.
    pos = lineEnd + 1;
    while (pos < n && ((c = b[pos]) === SP || c === HT)) {
      lineEnd = s.indexOf('\n', pos);
      pos = lineEnd < 0 ? n : lineEnd + 1;
    }
  }
  return n;
}

/** Records the value that starts after the colon, at `vs`; returns the offset of the next header line. */
function takeValue(t: Latin1Text, vs: number, lineEnd: number, slots: Int32Array, o: number): number {
  const s = t.str;
  const b = t.bytes;
  const n = s.length;
  let c: number;
  while (vs < lineEnd && ((c = b[vs]) === SP || c === HT)) vs++;
  let ve = trimEnd(b, vs, lineEnd);
  let folded = 0;
  let pos = lineEnd + 1;
  while (pos < n && ((c = b[pos]) === SP || c === HT)) {
    lineEnd = s.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = n;
    let cs = pos + 1;
    while (cs < lineEnd && ((c = b[cs]) === SP || c === HT)) cs++;
    const contEnd = trimEnd(b, cs, lineEnd);
    // Whitespace-only continuation lines add nothing.
    if (contEnd > cs) {
      if (ve > vs) folded = 1;
      else vs = cs; // the value starts on a continuation line
      ve = contEnd;
    }
    pos = lineEnd + 1;
  }
  slots[o] = vs;
  slots[o + 1] = ve;
  slots[o + 2] = folded;
  return pos;
}

/**
 * The value of a slot filled by scanHeaders, or undefined when the header was absent. Folded values
 * have each line break and the whitespace around it replaced by one space (RFC 3261 §7.3.1).
 */
export function headerValue(t: Latin1Text, slots: Int32Array, slot: number): string | undefined {
  const o = slot * SLOT_STRIDE;
  const s = slots[o];
  if (s < 0) return undefined;
  const e = slots[o + 1];
  return slots[o + 2] === 0 ? t.str.substring(s, e) : unfold(t, s, e);
}

function unfold(t: Latin1Text, s: number, e: number): string {
  const b = t.bytes;
  let out = '';
  let p = s;
  while (p < e) {
    let lf = t.str.indexOf('\n', p);
    if (lf < 0 || lf > e) lf = e;
    const pe = trimEnd(b, p, lf);
    if (pe > p) out = out.length === 0 ? t.str.substring(p, pe) : out + ' ' + t.str.substring(p, pe);
    p = lf + 1;
    while (p < e && (b[p] === SP || b[p] === HT)) p++;
  }
  return out;
}
