import { HT, SP, isDigit, isToken } from './chars';
import type { Latin1Text } from './latin1-text';

/**
 * CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16) at [start, end); undefined when the value is not
 * that. The sequence number is at most 2^31-1 by the RFC; ten digits are accepted.
 */
export function parseCSeq(t: Latin1Text, start: number, end: number): { seq: number; method: string } | undefined {
  const b = t.bytes;
  let p = start;
  let seq = 0;
  while (p < end && isDigit(b[p])) seq = seq * 10 + b[p++] - 0x30;
  if (p === start || p - start > 10) return undefined;
  const digitsEnd = p;
  let c: number;
  while (p < end && ((c = b[p]) === SP || c === HT)) p++;
  if (p === digitsEnd) return undefined;
  let me = end;
  while (me > p && ((c = b[me - 1]) === SP || c === HT)) me--;
  if (!isToken(b, p, me)) return undefined;
  return { seq, method: t.str.substring(p, me) };
}
