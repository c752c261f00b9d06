import { AT, COLON, COMMA, DQUOTE, GT, HT, LBRACKET, LOWER, LT, QUESTION, RBRACKET, SEMI, SP, STAR, isDigit } from './chars';
import type { Latin1Text } from './latin1-text';
import { closingQuote, listElementEnd } from './params';

/**
 * The parts of a URI the capture columns use. For sip:/sips: URIs (RFC 3261 §19.1): `user` is the
 * userinfo before any `:password`, as written (escapes and user parameters such as
 * `;phone-context=` kept); `host` is the host as written, an IPv6 reference WITH its brackets
 * (`[2001:db8::1]`), as Kamailio's parse_uri keeps them and its sipcapture stores them in ruri_domain,
 * from_domain, to_domain and contact_ip (so queries written against Kamailio's rows match ours);
 * `port` is 0 when not written.
 * For tel: URIs (RFC 3966) `user` is the telephone-subscriber number without its parameters and
 * `host` is ''. Other schemes (urn:, mailto:, ...) have no user or host here.
 */
export interface SipUri {
  /** Lower case: 'sip', 'sips', 'tel', or another scheme as written, lower-cased. */
  scheme: string;
  user: string;
  host: string;
  port: number;
  /** Where `user` and `host` lie in the parsed text (so a caller can copy their bytes); -1 when ''. */
  userStart: number;
  hostStart: number;
}

/** Bytes that end a host (or tel number) in a URI. */
const HOST_END = new Uint8Array(256);
for (const c of [COLON, SEMI, QUESTION, GT, SP, HT, COMMA]) HOST_END[c] = 1;

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Parses the URI in [start, end) (angle brackets already removed). Undefined when there is no
 * `scheme:`, a sip:/sips: URI has no host, or a tel: URI has no number.
 */
export function parseUri(t: Latin1Text, start: number, end: number): SipUri | undefined {
  const b = t.bytes;
  let p = start;
  if (p >= end || !isAlpha(b[p])) return undefined;
  for (p++; p < end; p++) {
    const c = b[p];
    if (!(isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e)) break;
  }
  if (p >= end || b[p] !== COLON) return undefined;
  const schemeLength = p - start;
  p++;
  if (schemeLength === 3 || schemeLength === 4) {
    const s0 = LOWER[b[start]];
    const s1 = LOWER[b[start + 1]];
    const s2 = LOWER[b[start + 2]];
    if (s0 === 0x73 && s1 === 0x69 && s2 === 0x70 && (schemeLength === 3 || LOWER[b[start + 3]] === 0x73)) {
      return parseSipUri(t, schemeLength === 3 ? 'sip' : 'sips', p, end);
    }
    if (schemeLength === 3 && s0 === 0x74 && s1 === 0x65 && s2 === 0x6c) {
      let q = p;
      while (q < end && HOST_END[b[q]] === 0) q++;
      if (q === p) return undefined;
      return { scheme: 'tel', user: t.str.substring(p, q), host: '', port: 0, userStart: p, hostStart: -1 };
    }
  }
  return { scheme: t.str.substring(start, start + schemeLength).toLowerCase(), user: '', host: '', port: 0, userStart: -1, hostStart: -1 };
}

/** sip:/sips: after the scheme: [userinfo@]host[:port][;params][?headers]. */
function parseSipUri(t: Latin1Text, scheme: string, p: number, end: number): SipUri | undefined {
  const b = t.bytes;
  // '@' appears at most once in a SIP URI: it ends the userinfo (RFC 3261 §25.1), whose first ':'
  // starts the password. A byte loop, not String#indexOf, which would run on past `end` to the next
  // '@' of the message when there is none.
  let at = p;
  let colon = -1;
  for (let c: number; at < end && (c = b[at]) !== AT; at++) if (c === COLON && colon < 0) colon = at;
  let user = '';
  let userStart = -1;
  let hostStart = p;
  if (at < end) {
    const userEnd = colon < 0 ? at : colon;
    if (userEnd > p) {
      user = t.str.substring(p, userEnd);
      userStart = p;
    }
    hostStart = at + 1;
  }
  let hostEnd: number;
  let q: number;
  if (hostStart < end && b[hostStart] === LBRACKET) {
    let close = hostStart + 1;
    while (close < end && b[close] !== RBRACKET) close++;
    if (close >= end || close === hostStart + 1) return undefined;
    hostEnd = close + 1;
    q = close + 1;
  } else {
    q = hostStart;
    while (q < end && HOST_END[b[q]] === 0) q++;
    hostEnd = q;
  }
  if (hostEnd === hostStart) return undefined;
  const host = t.str.substring(hostStart, hostEnd);
  let port = 0;
  if (q < end && b[q] === COLON) {
    let v = 0;
    let digits = 0;
    for (q++; q < end && isDigit(b[q]); q++, digits++) v = v * 10 + b[q] - 0x30;
    // A port that is not a port (too long, out of range) counts as not written rather than invented.
    if (digits > 0 && digits <= 5 && v <= 65535) port = v;
  }
  return { scheme, user, host, port, userStart, hostStart };
}

/** One name-addr or addr-spec of a From/To/Contact/P-Asserted-Identity-style header value. */
export interface NameAddr {
  uri: SipUri;
  /** The URI as written, without angle brackets: [uriStart, uriEnd). */
  uriStart: number;
  uriEnd: number;
  /** The header parameters after the URI (`;tag=...`): [paramsStart, paramsEnd), starts at ';' or is empty. */
  paramsStart: number;
  paramsEnd: number;
  /** End of this list element: a top-level ',' or the end of the value. */
  end: number;
}

/**
 * Parses the first element of a header value in name-addr form (`"Alice" <sip:alice@host>;tag=1`,
 * `Alice <sip:...>`, `<sip:...>`) or addr-spec form (`sip:alice@host;tag=1`, where everything from
 * the first ';' on is a header parameter: RFC 3261 §20.10). Undefined when no URI parses.
 */
export function parseNameAddr(t: Latin1Text, start: number, end: number): NameAddr | undefined {
  const b = t.bytes;
  let p = start;
  let c = 0;
  while (p < end && ((c = b[p]) === SP || c === HT)) p++;
  if (p >= end) return undefined;

  let lt = -1;
  if (c === DQUOTE) {
    const q = closingQuote(b, p, end);
    if (q < 0) return undefined;
    lt = q + 1;
    while (lt < end && ((c = b[lt]) === SP || c === HT)) lt++;
    if (lt >= end || b[lt] !== LT) return undefined;
  } else if (c === LT) {
    lt = p;
  } else {
    // Display-name tokens run up to '<'; an addr-spec reaches ':' (after its scheme) first.
    for (let q = p; q < end; q++) {
      const d = b[q];
      if (d === LT) {
        lt = q;
        break;
      }
      if (d === COLON || d === SEMI || d === COMMA || d === AT) break;
    }
  }

  let uriStart: number;
  let uriEnd: number;
  let paramsStart: number;
  if (lt >= 0) {
    const gt = t.str.indexOf('>', lt + 1);
    if (gt < 0 || gt >= end) return undefined;
    uriStart = lt + 1;
    uriEnd = gt;
    while (uriStart < uriEnd && ((c = b[uriStart]) === SP || c === HT)) uriStart++;
    while (uriEnd > uriStart && ((c = b[uriEnd - 1]) === SP || c === HT)) uriEnd--;
    paramsStart = gt + 1;
  } else {
    uriStart = p;
    let q = p;
    while (q < end && (c = b[q]) !== SEMI && c !== COMMA && c !== SP && c !== HT) q++;
    uriEnd = q;
    paramsStart = q;
    // An addr-spec is followed by parameters, the next element or nothing.
    while (q < end && ((c = b[q]) === SP || c === HT)) q++;
    if (q < end && c !== SEMI && c !== COMMA) uriEnd = uriStart; // not an addr-spec: see below
  }
  let uri = uriEnd > uriStart ? parseUri(t, uriStart, uriEnd) : undefined;
  if (uri === undefined) {
    if (lt >= 0) return undefined;
    // Not an addr-spec: maybe an unquoted display name with characters a token may not hold
    // (`Support: Tier 1 <sip:...>`, `alice@home <sip:...>`), as some agents send.
    const open = t.str.indexOf('<', p);
    if (open < 0 || open >= end) return undefined;
    const gt = t.str.indexOf('>', open + 1);
    if (gt < 0 || gt >= end) return undefined;
    uriStart = open + 1;
    uriEnd = gt;
    paramsStart = gt + 1;
    uri = parseUri(t, uriStart, uriEnd);
    if (uri === undefined) return undefined;
  }
  const elementEnd = listElementEnd(t, paramsStart, end);
  let paramsEnd = elementEnd;
  while (paramsEnd > paramsStart && ((c = b[paramsEnd - 1]) === SP || c === HT)) paramsEnd--;
  while (paramsStart < paramsEnd && ((c = b[paramsStart]) === SP || c === HT)) paramsStart++;
  return { uri, uriStart, uriEnd, paramsStart, paramsEnd, end: elementEnd };
}

/** Whether the first element of [start, end) is `*`: the wildcard Contact of RFC 3261 §10.2.2. */
export function isWildcard(t: Latin1Text, start: number, end: number): boolean {
  const b = t.bytes;
  let p = start;
  let c: number;
  while (p < end && ((c = b[p]) === SP || c === HT)) p++;
  if (p >= end || b[p] !== STAR) return false;
  p++;
  while (p < end && ((c = b[p]) === SP || c === HT)) p++;
  return p === end || b[p] === COMMA;
}
