/** The parts of a captured SIP message the KPIs need (a CaptureRecord's columns, see record-event.ts). */
export interface SipEvent {
  /** Capture time, seconds since the epoch (microsecond resolution). */
  ts: number;
  node: string;
  srcIp: string;
  dstIp: string;
  isRequest: boolean;
  /** A request's method; ignored for a reply. */
  method: string;
  /** A reply's status code; ignored for a request. */
  code: number;
  /** The CSeq header value, e.g. "1 INVITE". */
  cseq: string;
  callId: string;
  /** The top Via's branch. */
  branch: string;
  toTag: string;
  /** AOR of a REGISTER (To user@host). */
  aor: string;
  /** Expires of a REGISTER or its reply (header, else the Contact's parameter); -1 when absent. */
  expires: number;
}

/** "1 INVITE" → [1, 'INVITE'] (method upper-cased), or undefined when it is no CSeq. */
export function parseCseq(cseq: string): [number, string] | undefined {
  const m = /^\s*(\d{1,10})\s+([A-Za-z][A-Za-z0-9_.!%*+`'~-]*)\s*$/.exec(cseq);
  return m ? [Number(m[1]), m[2].toUpperCase()] : undefined;
}
