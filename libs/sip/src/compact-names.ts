/**
 * Compact header forms (RFC 3261 §7.3.3 and the IANA SIP header registry), lower-case letter to
 * lower-case full name. The scanner registers these letters for every header it looks for.
 */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  c: 'content-type',
  l: 'content-length',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  u: 'allow-events',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
};

/** The compact letter of a lower-case full header name, or undefined when it has none. */
export function compactFormOf(fullName: string): string | undefined {
  for (const letter in COMPACT_HEADER_NAMES) if (COMPACT_HEADER_NAMES[letter] === fullName) return letter;
  return undefined;
}

/**
 * The key a header is known by: lower case, with a compact form expanded to its full name
 * (`X-CID` gives `x-cid`, `i` gives `call-id`). `SipMessage.extra` is keyed this way.
 */
export function headerKey(name: string): string {
  const lower = name.trim().toLowerCase();
  return (lower.length === 1 && COMPACT_HEADER_NAMES[lower]) || lower;
}
