import { headerKey, parseHostPort, type SipMessage } from '@sipcap/sip';
import { COLUMN_WIDTH as W, MessageType, type CaptureRecord } from './capture-record';
import { truncate } from './truncate';

/** One captured SIP message with where and when it was captured. */
export interface BuildRecordInput {
  /** The parsed message: `sip` of a valid parse, or `partial` of a failed one (CAPTURE_BAD_MSGS). */
  sip: SipMessage;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** 2 IPv4, 10 IPv6. */
  family: number;
  /** Transport in Kamailio's numbering (Proto): 1 UDP, 2 TCP, 3 TLS, 4 SCTP, 5 WS, 6 WSS. */
  proto: number;
  /** Capture time in microseconds since the epoch. */
  microTs: bigint;
  /** HEP correlation-id chunk, when the packet had one. */
  correlationId?: string;
  /** HEP capture agent id; 0 or absent when none. */
  captureId?: number;
  /** The whole SIP message as captured; stored as is (not copied). */
  msg: Buffer;
}

export interface BuildRecordOptions {
  /** CAPTURE_NODE: the `node` column. */
  captureNode: string;
  /** CALLID_ALEG_HEADER, split on ';': callid_aleg is the first of these present. */
  callidAlegHeaders: readonly string[];
  /** CUSTOM_FIELD1_HEADER..3: headers copied into custom_field1..3 (absent or '' for none). */
  customHeaders: readonly [string?, string?, string?];
}

interface PreparedOptions {
  extraHeaders: readonly string[];
  alegKeys: readonly string[];
  customKeys: readonly [string, string, string];
}

const prepared = new WeakMap<BuildRecordOptions, PreparedOptions>();

/** Header keys of the options, computed once per options object. */
function prepare(opts: BuildRecordOptions): PreparedOptions {
  let p = prepared.get(opts);
  if (p === undefined) {
    const alegKeys = opts.callidAlegHeaders.map(headerKey).filter((k) => k.length > 0);
    const customKeys = [0, 1, 2].map((i) => headerKey(opts.customHeaders[i] ?? '')) as [string, string, string];
    const extraHeaders = [...new Set([...alegKeys, ...customKeys.filter((k) => k.length > 0)])];
    p = { extraHeaders, alegKeys, customKeys };
    prepared.set(opts, p);
  }
  return p;
}

/**
 * The headers buildRecord reads beyond the fixed columns (A-leg Call-ID and custom fields): pass
 * them to `parseSip(msg, { extraHeaders })`. The same array is returned for the same options
 * object, so the parser's compiled header table is reused.
 */
export function recordExtraHeaders(opts: BuildRecordOptions): readonly string[] {
  return prepare(opts).extraHeaders;
}

const MAX_INT32 = 0x7fffffff;

// `capture_node:id` for the last agent id seen: an agent's packets mostly come from a few agents.
let lastNode = '';
let lastCaptureId = 0;
let lastNodeText = '';

function nodeOf(captureNode: string, captureId: number): string {
  if (captureId !== lastCaptureId || captureNode !== lastNode) {
    lastNode = captureNode;
    lastCaptureId = captureId;
    lastNodeText = truncate(`${captureNode}:${captureId}`, W.node);
  }
  return lastNodeText;
}

/** `alice@example.com` -> `alice`: auth_user is the user part of the digest username. */
function userPart(username: string): string {
  const at = username.indexOf('@');
  return at < 0 ? username : username.substring(0, at);
}

/**
 * REGISTER and its replies: the Expires header, else the first Contact's `expires` parameter;
 * -1 otherwise. Clamped to the int column.
 */
function expiresOf(sip: SipMessage): number {
  const register = sip.isRequest ? sip.method === 'REGISTER' : sip.statusCode > 0 && sip.cseqMethod === 'REGISTER';
  if (!register) return -1;
  const v = sip.expires ?? sip.contact.expires;
  return v === undefined ? -1 : Math.min(v, MAX_INT32);
}

/**
 * Derives every column of `sip_capture` from one parsed message (see capture-record.md), each
 * string cut to its column width. Works on a partial message too: what could not be derived is ''
 * or 0, and `type` is 0 when the start line did not parse.
 */
export function buildRecord(input: BuildRecordInput, opts: BuildRecordOptions): CaptureRecord {
  const { sip } = input;
  const { alegKeys, customKeys } = prepare(opts);
  const extra = sip.extra;

  let callidAleg = '';
  for (const key of alegKeys) {
    const v = extra.get(key);
    if (v !== undefined) {
      callidAleg = v;
      break;
    }
  }
  const originator = sip.xOip.length > 0 ? parseHostPort(sip.xOip) : undefined;
  const isReply = !sip.isRequest && sip.statusCode > 0;
  const captureId = input.captureId ?? 0;

  return {
    micro_ts: input.microTs,
    method: truncate(sip.isRequest ? sip.method : isReply ? String(sip.statusCode) : '', W.method),
    reply_reason: truncate(isReply ? sip.reason : '', W.reply_reason),
    ruri: truncate(sip.isRequest ? sip.ruri : '', W.ruri),
    ruri_user: truncate(sip.ruriUser, W.ruri_user),
    ruri_domain: truncate(sip.ruriHost, W.ruri_domain),
    from_user: truncate(sip.from.user, W.from_user),
    from_domain: truncate(sip.from.host, W.from_domain),
    from_tag: truncate(sip.from.tag, W.from_tag),
    to_user: truncate(sip.to.user, W.to_user),
    to_domain: truncate(sip.to.host, W.to_domain),
    to_tag: truncate(sip.to.tag, W.to_tag),
    pid_user: truncate(sip.pidUser, W.pid_user),
    contact_user: truncate(sip.contact.user, W.contact_user),
    auth_user: truncate(userPart(sip.authUsername), W.auth_user),
    callid: truncate(sip.callId, W.callid),
    callid_aleg: truncate(callidAleg, W.callid_aleg),
    via_1: truncate(sip.via1, W.via_1),
    via_1_branch: truncate(sip.via1Branch, W.via_1_branch),
    cseq: truncate(sip.cseq, W.cseq),
    diversion: truncate(sip.diversion, W.diversion),
    reason: truncate(sip.reasonHeader, W.reason),
    content_type: truncate(sip.contentType, W.content_type),
    auth: truncate(sip.proxyAuthorization.length > 0 ? sip.proxyAuthorization : sip.authorization, W.auth),
    user_agent: truncate(sip.userAgent, W.user_agent),
    source_ip: truncate(input.srcIp, W.source_ip),
    source_port: input.srcPort,
    destination_ip: truncate(input.dstIp, W.destination_ip),
    destination_port: input.dstPort,
    contact_ip: truncate(sip.contact.host, W.contact_ip),
    contact_port: sip.contact.port,
    originator_ip: truncate(originator?.host ?? '', W.originator_ip),
    originator_port: originator?.port ?? 0,
    expires: expiresOf(sip),
    correlation_id: truncate(input.correlationId ? input.correlationId : sip.callId, W.correlation_id),
    custom_field1: truncate(customKeys[0].length > 0 ? (extra.get(customKeys[0]) ?? '') : '', W.custom_field1),
    custom_field2: truncate(customKeys[1].length > 0 ? (extra.get(customKeys[1]) ?? '') : '', W.custom_field2),
    custom_field3: truncate(customKeys[2].length > 0 ? (extra.get(customKeys[2]) ?? '') : '', W.custom_field3),
    proto: input.proto,
    family: input.family,
    rtp_stat: truncate(sip.rtpStat, W.rtp_stat),
    type: sip.isRequest ? MessageType.REQUEST : isReply ? MessageType.REPLY : 0,
    node: captureId !== 0 ? nodeOf(opts.captureNode, captureId) : truncate(opts.captureNode, W.node),
    msg: input.msg,
  };
}
