import { headerKey, parseHostPort, SipText as T, type SipMessage } from '@sipcap/sip';
import { COLUMN_WIDTH as W, MessageType, stringColumnValues, type CaptureRecord } from './capture-record';
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

/**
 * Builds capture records with one set of options: the header keys are worked out once, and the
 * `node` text of the last capture agent id is kept (an agent's packets mostly come from a few agents).
 * An agent keeps one; parse with a SipParser given `extraHeaders`.
 */
export class RecordBuilder {
  /** The headers a record reads beyond the fixed columns (A-leg Call-ID, custom fields): the parser's `extraHeaders`. */
  readonly extraHeaders: readonly string[];
  readonly alegKeys: readonly string[];
  readonly customKeys: readonly [string, string, string];
  private lastCaptureId = -1;
  private lastNodeText = '';

  constructor(readonly opts: BuildRecordOptions) {
    this.alegKeys = opts.callidAlegHeaders.map(headerKey).filter((k) => k.length > 0);
    this.customKeys = [0, 1, 2].map((i) => headerKey(opts.customHeaders[i] ?? '')) as [string, string, string];
    this.extraHeaders = [...new Set([...this.alegKeys, ...this.customKeys.filter((k) => k.length > 0)])];
  }

  /**
   * Derives every column of `sip_capture` from one parsed message (see capture-record.md), each string
   * cut to its column width. Works on a partial message too: what could not be derived is '' or 0, and
   * `type` is 0 when the start line did not parse.
   */
  build(input: BuildRecordInput): CaptureRecord {
    return new BuiltRecord(input, this);
  }

  /** `capture_node:id` (the node column of a packet with a capture agent id). */
  nodeOf(captureId: number): string {
    if (captureId !== this.lastCaptureId) {
      this.lastCaptureId = captureId;
      this.lastNodeText = truncate(`${this.opts.captureNode}:${captureId}`, W.node);
    }
    return this.lastNodeText;
  }
}

/** The headers a record of these options reads beyond the fixed columns (see RecordBuilder.extraHeaders). */
export function recordExtraHeaders(opts: BuildRecordOptions): readonly string[] {
  return new RecordBuilder(opts).extraHeaders;
}

const MAX_INT32 = 0x7fffffff;

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

/** Where a built record's string columns lie in its msg, as buildRecord found them. */
export interface ColumnsInMsg {
  /** The buffer the offsets are into. */
  readonly msg: Buffer;
  /**
   * Per STRING_COLUMNS index: where the column's value lies in msg, as ASCII bytes (one byte per
   * character), or -1 when it is not a piece of msg (built, joined, from the HEP header, non-ASCII).
   */
  readonly offsets: readonly number[];
  /** Per STRING_COLUMNS index: the value the offset is for; a column changed since then does not match. */
  readonly values: readonly string[];
}

/**
 * Per STRING_COLUMNS index, where the column's value lies in msg: the message's own offsets of the
 * text each column is cut from (cutting to the column width keeps the start). Order checked by the tests.
 */
function columnOffsets(sip: SipMessage, t: readonly number[], hasCorrelationId: boolean): number[] {
  return [
    sip.isRequest ? t[T.METHOD] : -1, // method: a reply's is its status code, written by us
    t[T.REASON], // reply_reason
    t[T.RURI],
    t[T.RURI_USER],
    t[T.RURI_HOST], // ruri_domain
    t[T.FROM_USER],
    t[T.FROM_HOST],
    t[T.FROM_TAG],
    t[T.TO_USER],
    t[T.TO_HOST],
    t[T.TO_TAG],
    t[T.PID_USER],
    t[T.CONTACT_USER],
    t[T.AUTH_USERNAME], // auth_user: the part before '@' starts where the username does
    t[T.CALL_ID],
    -1, // callid_aleg
    t[T.VIA1],
    t[T.VIA1_BRANCH],
    t[T.CSEQ],
    t[T.DIVERSION],
    t[T.REASON_HEADER],
    t[T.CONTENT_TYPE],
    sip.proxyAuthorization.length > 0 ? t[T.PROXY_AUTHORIZATION] : t[T.AUTHORIZATION], // auth
    t[T.USER_AGENT],
    -1, // source_ip
    -1, // destination_ip
    t[T.CONTACT_HOST], // contact_ip
    -1, // originator_ip
    hasCorrelationId ? -1 : t[T.CALL_ID], // correlation_id
    -1, // custom_field1
    -1, // custom_field2
    -1, // custom_field3
    t[T.RTP_STAT],
    -1, // node
  ];
}

// The class declares no fields of its own: they are CaptureRecord's, each assigned once in the
// constructor, so every record has one shape.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the constructor assigns every field the interface names
interface BuiltRecord extends CaptureRecord {}

/**
 * The record buildRecord returns: a CaptureRecord that also knows where its string columns lie in
 * msg, so that encodeRecord can refer to those bytes instead of encoding the strings again. That
 * knowledge is a private field: Object.keys, spreads, JSON and toEqual see a plain CaptureRecord, and a
 * copy ({ ...r }) is one (and is encoded from its strings).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
class BuiltRecord {
  readonly #inMsg: ColumnsInMsg | undefined;

  static columnsInMsg(r: CaptureRecord): ColumnsInMsg | undefined {
    return #inMsg in r ? (r as BuiltRecord).#inMsg : undefined;
  }

  constructor(input: BuildRecordInput, builder: RecordBuilder) {
    const { sip } = input;
    const { alegKeys, customKeys, opts } = builder;
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

    this.micro_ts = input.microTs;
    this.method = truncate(sip.isRequest ? sip.method : isReply ? String(sip.statusCode) : '', W.method);
    this.reply_reason = truncate(isReply ? sip.reason : '', W.reply_reason);
    this.ruri = truncate(sip.isRequest ? sip.ruri : '', W.ruri);
    this.ruri_user = truncate(sip.ruriUser, W.ruri_user);
    this.ruri_domain = truncate(sip.ruriHost, W.ruri_domain);
    this.from_user = truncate(sip.from.user, W.from_user);
    this.from_domain = truncate(sip.from.host, W.from_domain);
    this.from_tag = truncate(sip.from.tag, W.from_tag);
    this.to_user = truncate(sip.to.user, W.to_user);
    this.to_domain = truncate(sip.to.host, W.to_domain);
    this.to_tag = truncate(sip.to.tag, W.to_tag);
    this.pid_user = truncate(sip.pidUser, W.pid_user);
    this.contact_user = truncate(sip.contact.user, W.contact_user);
    this.auth_user = truncate(userPart(sip.authUsername), W.auth_user);
    this.callid = truncate(sip.callId, W.callid);
    this.callid_aleg = truncate(callidAleg, W.callid_aleg);
    this.via_1 = truncate(sip.via1, W.via_1);
    this.via_1_branch = truncate(sip.via1Branch, W.via_1_branch);
    this.cseq = truncate(sip.cseq, W.cseq);
    this.diversion = truncate(sip.diversion, W.diversion);
    this.reason = truncate(sip.reasonHeader, W.reason);
    this.content_type = truncate(sip.contentType, W.content_type);
    this.auth = truncate(sip.proxyAuthorization.length > 0 ? sip.proxyAuthorization : sip.authorization, W.auth);
    this.user_agent = truncate(sip.userAgent, W.user_agent);
    this.source_ip = truncate(input.srcIp, W.source_ip);
    this.source_port = input.srcPort;
    this.destination_ip = truncate(input.dstIp, W.destination_ip);
    this.destination_port = input.dstPort;
    this.contact_ip = truncate(sip.contact.host, W.contact_ip);
    this.contact_port = sip.contact.port;
    this.originator_ip = truncate(originator?.host ?? '', W.originator_ip);
    this.originator_port = originator?.port ?? 0;
    this.expires = expiresOf(sip);
    this.correlation_id = truncate(input.correlationId ? input.correlationId : sip.callId, W.correlation_id);
    this.custom_field1 = truncate(customKeys[0].length > 0 ? (extra.get(customKeys[0]) ?? '') : '', W.custom_field1);
    this.custom_field2 = truncate(customKeys[1].length > 0 ? (extra.get(customKeys[1]) ?? '') : '', W.custom_field2);
    this.custom_field3 = truncate(customKeys[2].length > 0 ? (extra.get(customKeys[2]) ?? '') : '', W.custom_field3);
    this.proto = input.proto;
    this.family = input.family;
    this.rtp_stat = truncate(sip.rtpStat, W.rtp_stat);
    this.type = sip.isRequest ? MessageType.REQUEST : isReply ? MessageType.REPLY : 0;
    this.node = captureId !== 0 ? builder.nodeOf(captureId) : truncate(opts.captureNode, W.node);
    this.msg = input.msg;

    const t = sip.textAt;
    this.#inMsg =
      t !== undefined && sip.textIn === input.msg
        ? { msg: input.msg, offsets: columnOffsets(sip, t, !!input.correlationId), values: stringColumnValues(this) }
        : undefined;
  }
}

/** One record with a builder of its own (tests, tools); what builds many keeps a RecordBuilder. */
export function buildRecord(input: BuildRecordInput, opts: BuildRecordOptions): CaptureRecord {
  return new RecordBuilder(opts).build(input);
}

/** Where the string columns of `r` lie in r.msg, when buildRecord made it; undefined for any other record. */
export const columnsInMsg = BuiltRecord.columnsInMsg;
