import { COLUMN_WORDS, COLUMNS, LATIN1, MessageType, readRecord, type EncodedRecord } from '@sipcap/record';
import type { SipEvent } from './sip-event';

const at = (c: (typeof COLUMNS)[number]) => 2 * COLUMNS.indexOf(c);
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
const words = new Int32Array(COLUMN_WORDS);

/**
 * The SipEvent of an encoded SIP record (version 1 or 3 Kafka value), reading only the ~10 columns the
 * KPIs need straight from the value's bytes (decoding all ~30 strings of a record would cost more than
 * the tracking). undefined when the value does not decode.
 */
export function sipEventOfValue(value: Buffer): SipEvent | undefined {
  const r = readRecord(value);
  return r.ok ? sipEventOfRecord(r.record) : undefined;
}

export function sipEventOfRecord(r: EncodedRecord): SipEvent {
  r.columns(words);
  const v = r.value;
  const str = (w: number): string => {
    const n = words[w + 1];
    if (n === 0) return '';
    return n & LATIN1 ? v.toString('latin1', words[w], words[w] + (n ^ LATIN1)) : v.toString('utf8', words[w], words[w] + n);
  };
  const isRequest = r.type === MessageType.REQUEST;
  const method = str(METHOD);
  const toUser = str(TO_USER);
  return {
    ts: Number(r.micro_ts) / 1e6,
    node: str(NODE),
    srcIp: str(SRC),
    dstIp: str(DST),
    isRequest,
    method: isRequest ? method : '',
    // A reply's method column is its status code (capture-record.md).
    code: isRequest ? 0 : /^\d{3}$/.test(method) ? Number(method) : 0,
    cseq: str(CSEQ),
    callId: str(CALLID),
    branch: str(BRANCH),
    toTag: str(TO_TAG),
    aor: toUser === '' ? str(TO_DOMAIN) : `${toUser}@${str(TO_DOMAIN)}`,
    expires: r.expires,
  };
}
