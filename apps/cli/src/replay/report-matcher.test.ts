import { describe, expect, it } from 'vitest';
import { encodeHep2, encodeHep3 } from '@sipcap/hep';
import { ReportMatcher } from './report-matcher';

const invite = Buffer.from(
  [
    'INVITE sip:bob@10.3.0.2 SIP/2.0',
    'Call-ID: call-1@x',
    'CSeq: 1 INVITE',
    'Content-Type: application/sdp',
    'Content-Length: 60',
    '',
    'v=0',
    'o=- 1 1 IN IP4 10.3.0.1',
    's=-',
    'c=IN IP4 10.3.0.1',
    't=0 0',
    'm=audio 20000 RTP/AVP 0',
    '',
  ].join('\r\n'),
);
const sr = Buffer.from('80c800065e1a2b3ce8a1b2c34d5e6f7000000000000000000000000000', 'hex').subarray(0, 28);
const rtp = Buffer.from('8000000100000000deadbeef', 'hex');
const at = (s: number) => BigInt(s) * 1_000_000n;
const udp = (payload: Buffer, srcPort: number, ts = at(1)) => ({
  payload,
  srcIp: '10.3.0.2',
  srcPort,
  dstIp: '10.3.0.1',
  dstPort: 20001,
  tsMicros: ts,
});

describe('ReportMatcher', () => {
  it('matches RTCP to the call whose SDP announced its address earlier, on the odd port or multiplexed', () => {
    const m = new ReportMatcher();
    expect(m.classify(udp(sr, 30001))).toEqual({ kind: 'rtcp', callId: undefined }); // before the SDP
    m.learnSip({ payload: invite, tsMicros: at(0) });
    expect(m.classify(udp(sr, 30001))).toEqual({ kind: 'rtcp', callId: 'call-1@x' });
    expect(m.classify({ ...udp(sr, 30001), dstPort: 20000 })).toEqual({ kind: 'rtcp', callId: 'call-1@x' });
    expect(m.classify({ ...udp(sr, 30001), dstPort: 20002 })).toEqual({ kind: 'rtcp', callId: undefined });
    expect(m.classify(udp(sr, 30001, at(3600)))).toEqual({ kind: 'rtcp', callId: undefined }); // forgotten after 600 s
  });

  it('tells captured HEP (v2, v3) from RTP and other payloads', () => {
    const m = new ReportMatcher();
    const base = {
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.9',
      srcPort: 5060,
      dstPort: 5060,
      tsSec: 1,
      tsUsec: 2,
      payload: Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n'),
    };
    expect(m.classify(udp(encodeHep3({ ...base, payloadType: 100, correlationId: 'c', payload: Buffer.from('log') }), 9000))).toEqual({
      kind: 'hep',
    });
    expect(m.classify(udp(encodeHep2(base), 9000))).toEqual({ kind: 'hep' });
    expect(m.classify(udp(Buffer.from('HEP3 but not really'), 9000))).toBeUndefined();
    expect(m.classify(udp(rtp, 9000))).toBeUndefined();
    expect(m.classify(udp(Buffer.from([2, 0, 0, 0, 1]), 9000))).toBeUndefined();
  });
});
