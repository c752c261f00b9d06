import { isAscii, isUtf8 } from 'node:buffer';
import { CR, LF, parseDecimal } from './chars';
import { headerKey } from './compact-names';
import { parseCSeq } from './cseq';
import { digestUsername } from './digest';
import { SLOT_STRIDE, allocSlots, compileHeaderTable, headerValue, scanHeaders, type HeaderTable } from './header-scan';
import { latin1Text, type Latin1Text, type TextRange } from './latin1-text';
import { findParam } from './params';
import type { SipContact, SipMessage, SipParseOptions, SipParseResult, SipParty } from './sip-message';
import { SipText, unlocatedText } from './sip-text';
import { parseStartLine } from './start-line';
import { isWildcard, parseNameAddr, parseUri } from './uri';
import { viaBranch } from './via';

// Slots of the headers every parse looks for; extra headers get the slots after these.
const CALL_ID = 0;
const FROM = 1;
const TO = 2;
const VIA = 3;
const CSEQ = 4;
const CONTACT = 5;
const PAI = 6;
const PPI = 7;
const RPID = 8;
const AUTHORIZATION = 9;
const PROXY_AUTHORIZATION = 10;
const DIVERSION = 11;
const REASON = 12;
const CONTENT_TYPE = 13;
const USER_AGENT = 14;
const EXPIRES = 15;
const X_OIP = 16;
const RTP_STAT_FIRST = 17;

/** In priority order: rtp_stat takes the first one present. */
export const RTP_STAT_HEADERS = [
  'x-rtp-stat-add',
  'x-rtp-stat-t38',
  'x-rtp-stat',
  'p-rtp-stat',
  'x-siemens-rtp-stats',
  'x-ng-rtp-stats',
  'rtp-rxstat',
] as const;

const KNOWN_HEADERS = [
  'call-id',
  'from',
  'to',
  'via',
  'cseq',
  'contact',
  'p-asserted-identity',
  'p-preferred-identity',
  'remote-party-id',
  'authorization',
  'proxy-authorization',
  'diversion',
  'reason',
  'content-type',
  'user-agent',
  'expires',
  'x-oip',
  ...RTP_STAT_HEADERS,
];

/** In priority order: pid_user takes the first one whose URI parses. */
const IDENTITY_SLOTS = [PAI, PPI, RPID];

const MANDATORY: readonly [number, string][] = [
  [CALL_ID, 'Call-ID'],
  [FROM, 'From'],
  [TO, 'To'],
  [CSEQ, 'CSeq'],
  [VIA, 'Via'],
];

const MAX_DELTA_SECONDS = 0xffffffff;

interface CompiledHeaders {
  table: HeaderTable;
  /** Scratch for scanHeaders: parsing is synchronous, so one array per header set is enough. */
  slots: Int32Array;
  extraKeys: string[];
  extraSlots: number[];
}

function compile(extraHeaders: readonly string[]): CompiledHeaders {
  const names = KNOWN_HEADERS.slice();
  const extraKeys: string[] = [];
  const extraSlots: number[] = [];
  for (const name of extraHeaders) {
    const key = headerKey(name);
    if (key.length === 0 || extraKeys.includes(key)) continue;
    let slot = names.indexOf(key);
    if (slot < 0) slot = names.push(key) - 1;
    extraKeys.push(key);
    extraSlots.push(slot);
  }
  const table = compileHeaderTable(names);
  return { table, slots: allocSlots(table), extraKeys, extraSlots };
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const NO_EXTRA: ReadonlyMap<string, string> = new Map();

/** Up to this size the whole message is decoded: cheaper than searching for the empty line first. */
const DECODE_WHOLE_LIMIT = 4096;

/** End of the text worth decoding: just past the first empty line (CRLF or bare LF), else the whole message. */
function headerSectionEnd(msg: Buffer, start: number): number {
  if (msg.length <= DECODE_WHOLE_LIMIT) return msg.length;
  const crlf = msg.indexOf(CRLFCRLF, start);
  if (crlf >= 0) return crlf + 4;
  const lf = msg.indexOf(LFLF, start);
  return lf >= 0 ? lf + 2 : msg.length;
}

// latin1Slice is Buffer's own (undocumented, long-standing) one-byte decoder: faster than toString('latin1').
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * Per-parser scratch: where a header value can be parsed in place (the message text itself or, for a
 * folded value, its unfolded copy: t, s, e) and where a value found by findParam or viaBranch lies.
 * Parsing is synchronous, so one per parser is enough.
 */
interface Scratch {
  t: Latin1Text;
  s: number;
  e: number;
  found: TextRange;
}

function locate(at: Scratch, t: Latin1Text, slots: Int32Array, slot: number): boolean {
  const o = slot * SLOT_STRIDE;
  const s = slots[o];
  if (s < 0) return false;
  if (slots[o + 2] === 0) {
    at.t = t;
    at.s = s;
    at.e = slots[o + 1];
  } else {
    const v = headerValue(t, slots, slot) as string;
    at.t = latin1Text(v);
    at.s = 0;
    at.e = v.length;
  }
  return true;
}

/**
 * From or To. `userField` is the SipText index of its user; host and tag follow it. Where a field is
 * a piece of the message (the header was not folded), its offset goes into `textAt`.
 */
function partyOf(at: Scratch, t: Latin1Text, slots: Int32Array, slot: number, textAt: number[], userField: number): SipParty | undefined {
  if (!locate(at, t, slots, slot)) return undefined;
  const na = parseNameAddr(at.t, at.s, at.e);
  if (na === undefined) return undefined;
  const tag = findParam(at.t, na.paramsStart, na.paramsEnd, 'tag', at.found) ?? '';
  if (at.t === t) {
    textAt[userField] = na.uri.userStart;
    textAt[userField + 1] = na.uri.hostStart;
    if (tag.length > 0) textAt[userField + 2] = at.found.start;
  }
  return { user: na.uri.user, host: na.uri.host, tag };
}

function contactOf(at: Scratch, t: Latin1Text, slots: Int32Array, textAt: number[]): SipContact {
  if (locate(at, t, slots, CONTACT)) {
    if (isWildcard(at.t, at.s, at.e)) return { user: '*', host: '', port: 0, expires: undefined };
    const na = parseNameAddr(at.t, at.s, at.e);
    if (na !== undefined) {
      if (at.t === t) {
        textAt[SipText.CONTACT_USER] = na.uri.userStart;
        textAt[SipText.CONTACT_HOST] = na.uri.hostStart;
      }
      const e = findParam(at.t, na.paramsStart, na.paramsEnd, 'expires', at.found);
      const expires = e === undefined ? undefined : parseDecimal(at.t.bytes, at.found.start, at.found.end, MAX_DELTA_SECONDS);
      return { user: na.uri.user, host: na.uri.host, port: na.uri.port, expires };
    }
  }
  return { user: '', host: '', port: 0, expires: undefined };
}

/** User of the first URI of the first identity header that has one (P-Asserted-Identity and the like). */
function pidUserOf(at: Scratch, t: Latin1Text, slots: Int32Array, textAt: number[]): string {
  for (let i = 0; i < IDENTITY_SLOTS.length; i++) {
    if (!locate(at, t, slots, IDENTITY_SLOTS[i])) continue;
    const na = parseNameAddr(at.t, at.s, at.e);
    if (na === undefined) continue;
    if (at.t === t) textAt[SipText.PID_USER] = na.uri.userStart;
    return na.uri.user;
  }
  return '';
}

function usernameOf(at: Scratch, t: Latin1Text, slots: Int32Array, slot: number): string {
  return locate(at, t, slots, slot) ? digestUsername(at.t, at.s, at.e) : '';
}

/** A header value, '' when absent; its offset goes into `textAt[field]` when it is one piece of the message. */
function valueOf(t: Latin1Text, slots: Int32Array, slot: number, textAt: number[], field: number): string {
  const o = slot * SLOT_STRIDE;
  const s = slots[o];
  if (s < 0) return '';
  if (slots[o + 2] !== 0) return headerValue(t, slots, slot) as string;
  textAt[field] = s;
  return t.str.substring(s, slots[o + 1]);
}

/**
 * Parses what the capture record needs from SIP messages, each in one pass over its header section.
 * Holds its compiled header table (the known headers and the options' extra ones) and its scratch: an
 * agent keeps one and parses every message with it.
 */
export class SipParser {
  private readonly compiled: CompiledHeaders;
  private readonly scratch: Scratch = { t: latin1Text(''), s: 0, e: 0, found: { start: 0, end: 0 } };

  constructor(options?: SipParseOptions) {
    this.compiled = compile(options?.extraHeaders ?? []);
  }

  /** Never throws. The message must be whole in `msg`; the body is not read. */
  parse(msg: Buffer): SipParseResult {
    return parseWith(this.compiled, this.scratch, msg);
  }
}

/** One message with a parser of its own (tests, tools); what parses many keeps a SipParser. */
export function parseSip(msg: Buffer, options?: SipParseOptions): SipParseResult {
  return new SipParser(options).parse(msg);
}

function parseWith(compiled: CompiledHeaders, at: Scratch, msg: Buffer): SipParseResult {
  const n = msg.length;
  let start = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored (they are also the keep-alive of RFC 5626).
  while (start < n && (msg[start] === CR || msg[start] === LF)) start++;
  if (start === n) return { ok: false, reason: 'empty', message: 'message holds no start line', partial: emptyMessage(n) };

  // One char per byte from offset 0: offsets in the string are offsets in msg, slices are cheap.
  const textEnd = headerSectionEnd(msg, start);
  const t: Latin1Text = { str: (msg as Latin1Buffer).latin1Slice(0, textEnd), bytes: msg };
  const line = parseStartLine(t, start);
  const slots = compiled.slots;
  const bodyOffset = scanHeaders(t, line.next, compiled.table, slots);

  const textAt = unlocatedText();
  let ruri = '';
  let ruriUser = '';
  let ruriHost = '';
  if (line.ok) {
    if (line.isRequest) {
      textAt[SipText.METHOD] = start;
      ruri = t.str.substring(line.ruriStart, line.ruriEnd);
      textAt[SipText.RURI] = line.ruriStart;
      const uri = parseUri(t, line.ruriStart, line.ruriEnd);
      if (uri !== undefined) {
        ruriUser = uri.user;
        ruriHost = uri.host;
        textAt[SipText.RURI_USER] = uri.userStart;
        textAt[SipText.RURI_HOST] = uri.hostStart;
      }
    } else textAt[SipText.REASON] = line.reasonStart;
  }

  const from = partyOf(at, t, slots, FROM, textAt, SipText.FROM_USER);
  const to = partyOf(at, t, slots, TO, textAt, SipText.TO_USER);
  const cseqParts = locate(at, t, slots, CSEQ) ? parseCSeq(at.t, at.s, at.e) : undefined;
  let via1Branch = '';
  if (locate(at, t, slots, VIA)) {
    via1Branch = viaBranch(at.t, at.s, at.e, at.found);
    if (at.t === t && via1Branch.length > 0) textAt[SipText.VIA1_BRANCH] = at.found.start;
  }
  const pidUser = pidUserOf(at, t, slots, textAt);
  let authSlot = PROXY_AUTHORIZATION;
  let authUsername = usernameOf(at, t, slots, PROXY_AUTHORIZATION);
  if (authUsername.length === 0) {
    authSlot = AUTHORIZATION;
    authUsername = usernameOf(at, t, slots, AUTHORIZATION);
  }
  // The username may have had escapes resolved: look for its bytes rather than trusting its position.
  if (authUsername.length > 0) textAt[SipText.AUTH_USERNAME] = t.str.indexOf(authUsername, slots[authSlot * SLOT_STRIDE]);
  const expires = locate(at, t, slots, EXPIRES) ? parseDecimal(at.t.bytes, at.s, at.e, MAX_DELTA_SECONDS) : undefined;

  let rtpStat = '';
  for (let i = 0; i < RTP_STAT_HEADERS.length; i++) {
    if (slots[(RTP_STAT_FIRST + i) * SLOT_STRIDE] >= 0) {
      rtpStat = valueOf(t, slots, RTP_STAT_FIRST + i, textAt, SipText.RTP_STAT);
      break;
    }
  }

  let extra = NO_EXTRA;
  const { extraKeys, extraSlots } = compiled;
  for (let i = 0; i < extraKeys.length; i++) {
    const v = headerValue(t, slots, extraSlots[i]);
    if (v === undefined) continue;
    if (extra === NO_EXTRA) extra = new Map();
    (extra as Map<string, string>).set(extraKeys[i], v);
  }

  const sip: SipMessage = {
    isRequest: line.ok && line.isRequest,
    method: line.ok ? line.method : '',
    statusCode: line.ok ? line.statusCode : 0,
    reason: line.ok ? line.reason : '',
    ruri,
    ruriUser,
    ruriHost,
    from: from ?? { user: '', host: '', tag: '' },
    to: to ?? { user: '', host: '', tag: '' },
    pidUser,
    contact: contactOf(at, t, slots, textAt),
    authorization: valueOf(t, slots, AUTHORIZATION, textAt, SipText.AUTHORIZATION),
    proxyAuthorization: valueOf(t, slots, PROXY_AUTHORIZATION, textAt, SipText.PROXY_AUTHORIZATION),
    authUsername,
    callId: valueOf(t, slots, CALL_ID, textAt, SipText.CALL_ID),
    via1: valueOf(t, slots, VIA, textAt, SipText.VIA1),
    via1Branch,
    cseq: valueOf(t, slots, CSEQ, textAt, SipText.CSEQ),
    cseqMethod: cseqParts?.method ?? '',
    diversion: valueOf(t, slots, DIVERSION, textAt, SipText.DIVERSION),
    reasonHeader: valueOf(t, slots, REASON, textAt, SipText.REASON_HEADER),
    contentType: valueOf(t, slots, CONTENT_TYPE, textAt, SipText.CONTENT_TYPE),
    userAgent: valueOf(t, slots, USER_AGENT, textAt, SipText.USER_AGENT),
    expires,
    xOip: headerValue(t, slots, X_OIP) ?? '',
    rtpStat,
    extra,
    bodyOffset,
    textAt,
    textIn: msg,
  };
  // Every string above is a latin1 reading so far; only a header section with bytes >= 0x80 needs
  // another look (and there characters are not bytes, so textAt cannot hold).
  if (!isAscii(msg) && !isAscii(msg.subarray(0, bodyOffset))) {
    decodeUtf8Fields(sip);
    sip.textAt = undefined;
    sip.textIn = undefined;
  }

  if (!line.ok) return { ok: false, reason: 'bad_start_line', message: line.message, partial: sip };
  if (
    slots[CALL_ID * SLOT_STRIDE] < 0 ||
    from === undefined ||
    to === undefined ||
    cseqParts === undefined ||
    slots[VIA * SLOT_STRIDE] < 0
  ) {
    return headerError(slots, sip, from, to);
  }
  return { ok: true, sip };
}

function headerError(slots: Int32Array, sip: SipMessage, from: SipParty | undefined, to: SipParty | undefined): SipParseResult {
  let missing = '';
  for (const [slot, name] of MANDATORY) {
    if (slots[slot * SLOT_STRIDE] < 0) missing += missing.length === 0 ? name : `, ${name}`;
  }
  if (missing.length > 0) return { ok: false, reason: 'missing_header', message: `missing ${missing}`, partial: sip };
  if (from === undefined) return { ok: false, reason: 'bad_header', message: 'From has no valid URI', partial: sip };
  if (to === undefined) return { ok: false, reason: 'bad_header', message: 'To has no valid URI', partial: sip };
  return { ok: false, reason: 'bad_header', message: 'CSeq is not "number method"', partial: sip };
}

function emptyMessage(bodyOffset: number): SipMessage {
  return {
    isRequest: false,
    method: '',
    statusCode: 0,
    reason: '',
    ruri: '',
    ruriUser: '',
    ruriHost: '',
    from: { user: '', host: '', tag: '' },
    to: { user: '', host: '', tag: '' },
    pidUser: '',
    contact: { user: '', host: '', port: 0, expires: undefined },
    authorization: '',
    proxyAuthorization: '',
    authUsername: '',
    callId: '',
    via1: '',
    via1Branch: '',
    cseq: '',
    cseqMethod: '',
    diversion: '',
    reasonHeader: '',
    contentType: '',
    userAgent: '',
    expires: undefined,
    xOip: '',
    rtpStat: '',
    extra: NO_EXTRA,
    bodyOffset,
  };
}

/**
 * Re-reads a latin1-decoded string as UTF-8 when its bytes are valid UTF-8; otherwise keeps the
 * latin1 reading, so that no byte turns into U+FFFD.
 */
export function utf8OrLatin1(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x80) i++;
  if (i === s.length) return s;
  const bytes = Buffer.from(s, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : s;
}

function decodeUtf8Fields(m: SipMessage): void {
  m.method = utf8OrLatin1(m.method);
  m.reason = utf8OrLatin1(m.reason);
  m.ruri = utf8OrLatin1(m.ruri);
  m.ruriUser = utf8OrLatin1(m.ruriUser);
  m.ruriHost = utf8OrLatin1(m.ruriHost);
  for (const p of [m.from, m.to]) {
    p.user = utf8OrLatin1(p.user);
    p.host = utf8OrLatin1(p.host);
    p.tag = utf8OrLatin1(p.tag);
  }
  m.pidUser = utf8OrLatin1(m.pidUser);
  m.contact.user = utf8OrLatin1(m.contact.user);
  m.contact.host = utf8OrLatin1(m.contact.host);
  m.authorization = utf8OrLatin1(m.authorization);
  m.proxyAuthorization = utf8OrLatin1(m.proxyAuthorization);
  m.authUsername = utf8OrLatin1(m.authUsername);
  m.callId = utf8OrLatin1(m.callId);
  m.via1 = utf8OrLatin1(m.via1);
  m.via1Branch = utf8OrLatin1(m.via1Branch);
  m.cseq = utf8OrLatin1(m.cseq);
  m.cseqMethod = utf8OrLatin1(m.cseqMethod);
  m.diversion = utf8OrLatin1(m.diversion);
  m.reasonHeader = utf8OrLatin1(m.reasonHeader);
  m.contentType = utf8OrLatin1(m.contentType);
  m.userAgent = utf8OrLatin1(m.userAgent);
  m.xOip = utf8OrLatin1(m.xOip);
  m.rtpStat = utf8OrLatin1(m.rtpStat);
  if (m.extra.size > 0) {
    const map = m.extra as Map<string, string>;
    for (const [k, v] of map) map.set(k, utf8OrLatin1(v));
  }
}
