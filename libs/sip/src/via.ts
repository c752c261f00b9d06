import { COMMA, SEMI } from './chars';
import type { Latin1Text, TextRange } from './latin1-text';
import { findParam } from './params';

/**
 * The `branch` parameter of the first via-parm in the Via value at [start, end)
 * (`SIP/2.0/UDP host:5060;branch=z9hG4bK1;rport, SIP/2.0/TCP ...`), '' when it has none.
 * Later vias on the same line are not looked at. When found, `range` (if given) gets where it lies in `t`.
 */
export function viaBranch(t: Latin1Text, start: number, end: number, range?: TextRange): string {
  const b = t.bytes;
  // sent-protocol and sent-by hold neither ';' nor ',': the parameters start at the first ';'
  // unless the first via ends before it.
  let p = start;
  let c = 0;
  while (p < end && (c = b[p]) !== SEMI && c !== COMMA) p++;
  if (p >= end || c === COMMA) return '';
  return findParam(t, p, end, 'branch', range) ?? '';
}
