/** User, host and `tag` of a From or To header. */
export interface SipParty {
  user: string;
  host: string;
  tag: string;
}

/** The first Contact of a message. */
export interface SipContact {
  /** `*` for the wildcard Contact. */
  user: string;
  host: string;
  /** 0 when not written. */
  port: number;
  /** The `expires` parameter in seconds, undefined when absent or not a number. */
  expires: number | undefined;
}

/**
 * What the capture record needs from one SIP message; not a full DOM. Strings are '' when the
 * header is absent. Header values are the first header line of that name, whitespace-trimmed, folded
 * lines joined by one space. Text is decoded as UTF-8 (RFC 3261); where a value's bytes are not
 * valid UTF-8 each byte is taken as one latin1 character, so no byte is lost or replaced.
 * Hosts are stored without IPv6 brackets.
 */
export interface SipMessage {
  /** False also when the start line did not parse (then statusCode is 0). */
  isRequest: boolean;
  /** Request method as written; '' in replies. */
  method: string;
  /** Reply status code; 0 in requests. */
  statusCode: number;
  /** Reply reason phrase; '' in requests. */
  reason: string;
  /** Request-URI as written; '' in replies. */
  ruri: string;
  ruriUser: string;
  ruriHost: string;
  from: SipParty;
  to: SipParty;
  /** User of the first P-Asserted-Identity URI, else P-Preferred-Identity, else Remote-Party-ID. */
  pidUser: string;
  contact: SipContact;
  authorization: string;
  proxyAuthorization: string;
  /** Digest `username` of Proxy-Authorization, else of Authorization, as sent (may hold `@domain`). */
  authUsername: string;
  callId: string;
  /** The whole body of the first Via line (it may hold several comma-separated vias). */
  via1: string;
  /** `branch` of the first via. */
  via1Branch: string;
  /** CSeq body (`1 INVITE`). */
  cseq: string;
  /** The method of CSeq (`INVITE`); tells what a reply answers. */
  cseqMethod: string;
  diversion: string;
  /** Reason header body (not the reply's reason phrase). */
  reasonHeader: string;
  contentType: string;
  userAgent: string;
  /** Expires header in seconds; undefined when absent or not delta-seconds. */
  expires: number | undefined;
  /** X-OIP body (`ip:port`). */
  xOip: string;
  /** Body of the first present of X-RTP-Stat-Add, X-RTP-Stat-T38, X-RTP-Stat, P-RTP-Stat, X-Siemens-RTP-stats, X-NG-RTP-STATS, RTP-RxStat. */
  rtpStat: string;
  /** Bodies of the requested extra headers that are present, keyed by headerKey(name). */
  extra: ReadonlyMap<string, string>;
  /** Byte offset of the body in the message (its length when the header section has no end). */
  bodyOffset: number;
  /**
   * Where text fields lie in the message `textIn`, indexed by SipText: field F is exactly the bytes
   * textIn[textAt[F], textAt[F] + F.length), or textAt[F] is -1 (empty, joined from folded lines,
   * unescaped). Only for a header section that is all ASCII, where one character is one byte;
   * undefined otherwise. Lets a capture record refer to bytes instead of encoding strings again.
   */
  textAt?: readonly number[];
  /** The parsed message, which textAt is about. */
  textIn?: Buffer;
}

/** Why a message did not parse: short and stable, used as a Prometheus label. */
export const SIP_ERROR_REASONS = ['empty', 'bad_start_line', 'missing_header', 'bad_header'] as const;
export type SipErrorReason = (typeof SIP_ERROR_REASONS)[number];

export type SipParseResult =
  | { ok: true; sip: SipMessage }
  /** `partial` holds every field that could be derived, so CAPTURE_BAD_MSGS can still store the message. */
  | { ok: false; reason: SipErrorReason; message: string; partial: SipMessage };

export interface SipParseOptions {
  /**
   * Further headers to collect in the same pass (callid_aleg and custom_field headers), any case,
   * compact forms allowed. Pass the same array on every call: its compiled form is cached by identity.
   */
  extraHeaders?: readonly string[];
}
