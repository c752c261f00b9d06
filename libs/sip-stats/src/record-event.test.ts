import { describe, expect, it } from 'vitest';
import { parseSip } from '@sipcap/sip';
import { buildRecord, encodeRecord, Family, Proto, recordExtraHeaders, sampleRecord, type BuildRecordOptions } from '@sipcap/record';
import { sipEventOfValue } from './record-event';

const OPTS: BuildRecordOptions = { captureNode: 'homer01', callidAlegHeaders: [], customHeaders: [] };

function built(lines: string[]) {
  const msg = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8');
  const p = parseSip(msg, { extraHeaders: recordExtraHeaders(OPTS) });
  if (!p.ok) throw new Error(p.message);
  return buildRecord(
    {
      sip: p.sip,
      srcIp: '192.0.2.10',
      srcPort: 5060,
      dstIp: '2001:db8::9',
      dstPort: 5060,
      family: Family.IPV4,
      proto: Proto.UDP,
      microTs: 1_700_000_000_250_000n,
      msg,
    },
    OPTS,
  );
}

describe('sipEventOfValue', () => {
  it('reads the KPI columns of a reply made by buildRecord (version 3: columns are bytes of msg)', () => {
    const value = encodeRecord(
      built([
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1',
        'From: <sip:alice@example.com>;tag=f1',
        'To: <sip:alice@example.com>;tag=t9',
        'Call-ID: reg-1@example.com',
        'CSeq: 2 REGISTER',
        'Contact: <sip:alice@192.0.2.10>;expires=600',
        'Content-Length: 0',
      ]),
    );
    expect(value[0]).toBe(3);
    expect(sipEventOfValue(value)).toEqual({
      ts: 1_700_000_000.25,
      node: 'homer01',
      srcIp: '192.0.2.10',
      dstIp: '2001:db8::9',
      isRequest: false,
      method: '',
      code: 200,
      cseq: '2 REGISTER',
      callId: 'reg-1@example.com',
      branch: 'z9hG4bKreg1',
      toTag: 't9',
      aor: 'alice@example.com',
      expires: 600,
    });
  });

  it('reads a version 1 record (columns written out) and says undefined for a value that does not decode', () => {
    const r = sampleRecord({ method: 'INVITE', type: 1, cseq: '1 INVITE', callid: 'c1', via_1_branch: 'b1', to_tag: '', node: 'n7' });
    const e = sipEventOfValue(encodeRecord(r))!;
    expect([e.isRequest, e.method, e.cseq, e.callId, e.branch, e.node]).toEqual([true, 'INVITE', '1 INVITE', 'c1', 'b1', 'n7']);
    expect(sipEventOfValue(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});
