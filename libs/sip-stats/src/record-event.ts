import { FIXED_INTS, LATIN1, locateColumns, MessageType, SPAN_WORDS, STRING_COLUMNS } from '@sipcap/record';
import type { SipEvent } from './sip-event';

const at = (c: (typeof STRING_COLUMNS)[number]) => 2 * STRING_COLUMNS.indexOf(c);
const METHOD = at('method');
const CSEQ = at('cseq');
const CALLID = at('callid');
const BRANCH = at('via_1_branch');
const TO_TAG = at('to_tag');
const TO_USER = at('to_user');
const TO_DOMAIN = at('to_domain');
const SRC = at('source_ip');
const DST = at('destination_ip');
const NODE = at('node');
const TYPE_AT = FIXED_INTS.type[0];
const EXPIRES_AT = FIXED_INTS.expires[0];
const spans = new Int32Array(SPAN_WORDS);
// Buffer's own one-byte decoder (undocumented, long-standing; libs/record uses it too): faster than toString('latin1').
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * The SipEvent of an encoded SIP record (version 1 or 3 Kafka value), reading only the ~10 columns the
 * KPIs need straight from the value's bytes, in one pass over its layout (decoding all ~30 strings of a
 * record would cost more than the tracking). undefined when the value does not decode.
 */
export function sipEventOfValue(v: Buffer): SipEvent | undefined {
  if (locateColumns(v, spans)) return undefined;
  const str = (w: number): string => {
    const n = spans[w + 1];
    if (n === 0) return '';
    return n & LATIN1 ? (v as Latin1Buffer).latin1Slice(spans[w], spans[w] + (n ^ LATIN1)) : v.toString('utf8', spans[w], spans[w] + n);
  };
  const isRequest = v[TYPE_AT] === MessageType.REQUEST;
  const method = str(METHOD);
  const cseq = str(CSEQ);
  // The AOR only where it counts (REGISTER and its replies): fewer strings per record.
  const register = cseq.endsWith('REGISTER');
  const toUser = register ? str(TO_USER) : '';
  return {
    ts: Number(v.readBigInt64BE(1)) / 1e6,
    node: str(NODE),
    srcIp: str(SRC),
    dstIp: str(DST),
    isRequest,
    method: isRequest ? method : '',
    // A reply's method column is its status code (capture-record.md).
    code: isRequest ? 0 : method.length === 3 ? Number(method) | 0 : 0,
    cseq,
    callId: str(CALLID),
    branch: str(BRANCH),
    toTag: str(TO_TAG),
    aor: !register ? '' : toUser === '' ? str(TO_DOMAIN) : `${toUser}@${str(TO_DOMAIN)}`,
    expires: v.readInt32BE(EXPIRES_AT),
  };
}
