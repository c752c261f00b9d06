import { describe, expect, it } from 'vitest';
import type { CapturedMessage, CapturedReport } from '@sipcap/agent';
import { LinkType, testing } from '@sipcap/packet';
import { RTCP_FIXTURES } from '../../rtcp/src/test-fixtures';
import { RawDecoder } from './raw-decoder';
import { looksLikeRtcp } from './rtcp-capture';

const S = 1_000_000n;
const T0 = 1_700_000_000n * S;
const sdp = (ip: string, port: number) =>
  ['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, ''].join('\r\n');
const udp = (srcIp: string, srcPort: number, dstIp: string, dstPort: number, payload: Buffer) =>
  testing.buildEthernetIpv4Udp({ srcIp, dstIp, srcPort, dstPort, payload });
const rtp = Buffer.concat([Buffer.from([0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 1, 2, 3, 4]), Buffer.alloc(160)]);

function decoder(ttlS = 60n) {
  const reports: CapturedReport[] = [];
  const d = new RawDecoder({
    ports: { from: 5060, to: 5060 },
    rtcp: { ports: { from: 10_000, to: 20_000 }, maxItems: 1000, maxBytes: 1 << 20, ttlMicros: ttlS * S, onReport: (r) => reports.push(r) },
  });
  const sip: CapturedMessage[] = [];
  const feed = (frame: Buffer, ts: bigint) => d.decode(LinkType.ETHERNET, frame, ts, (m) => sip.push(m));
  return { d, reports, sip, feed };
}

describe('RTCP capture in RawDecoder', () => {
  it('publishes RTCP with the Call-ID of the SDP that announced its address; SIP still goes on as SIP', () => {
    const { d, reports, sip, feed } = decoder();
    feed(udp('192.0.2.1', 5060, '192.0.2.2', 5060, testing.sipRequest({ callId: 'call-a', body: sdp('192.0.2.1', 12000) })), T0);
    feed(udp('192.0.2.2', 5060, '192.0.2.1', 5060, testing.sipReply({ callId: 'call-a', body: sdp('198.51.100.2', 14000) })), T0 + 1n);
    feed(udp('198.51.100.2', 14001, '192.0.2.1', 12001, RTCP_FIXTURES.srSdes), T0 + 5n * S); // callee to caller's RTCP port
    feed(udp('192.0.2.1', 12001, '198.51.100.2', 14001, RTCP_FIXTURES.rrSdesBye), T0 + 6n * S);
    feed(udp('192.0.2.1', 12000, '198.51.100.2', 14000, RTCP_FIXTURES.rrXr), T0 + 7n * S); // rtcp-mux on the RTP ports
    expect(sip.map((m) => m.payload.toString().split('\r\n')[0])).toEqual(['INVITE sip:bob@example.com SIP/2.0', 'SIP/2.0 200 OK']);
    expect(reports).toHaveLength(3);
    expect(reports[0]).toMatchObject({
      payloadType: 5,
      correlationId: 'call-a',
      srcIp: '198.51.100.2',
      srcPort: 14001,
      dstIp: '192.0.2.1',
      dstPort: 12001,
      family: 2,
      proto: 1,
      microTs: T0 + 5n * S,
    });
    expect(reports[0].payload.equals(RTCP_FIXTURES.srSdes)).toBe(true);
    expect(reports.map((r) => r.correlationId)).toEqual(['call-a', 'call-a', 'call-a']);
    expect(d.rtcp!.counters).toEqual({ matched: 3, unmatched: 0, not_rtcp: 0 });
  });

  it('counts RTP and RTCP of no known call, publishes neither, and leaves TCP on media ports out', () => {
    const { d, reports, sip, feed } = decoder();
    feed(udp('192.0.2.1', 5060, '192.0.2.2', 5060, testing.sipRequest({ callId: 'call-b', body: sdp('192.0.2.1', 12000) })), T0);
    feed(udp('198.51.100.2', 14000, '192.0.2.1', 12000, rtp), T0 + 1n); // RTP of the call
    feed(udp('198.51.100.9', 16001, '203.0.113.1', 18001, RTCP_FIXTURES.srSdes), T0 + 2n); // RTCP of another call
    feed(
      testing.buildEthernetTcp({
        srcIp: '192.0.2.1',
        dstIp: '192.0.2.2',
        srcPort: 12001,
        dstPort: 40000,
        seq: 1,
        flags: 0x18,
        payload: RTCP_FIXTURES.srSdes,
      }),
      T0 + 3n,
    );
    feed(udp('192.0.2.1', 30001, '192.0.2.2', 30001, RTCP_FIXTURES.srSdes), T0 + 4n); // outside both ranges
    expect(reports).toHaveLength(0);
    expect(sip).toHaveLength(1);
    expect(d.rtcp!.counters).toEqual({ matched: 0, unmatched: 1, not_rtcp: 1 });
    expect(d.decoder.counters.filtered).toBe(2);
  });

  it('forgets a call RTCP_SDP_TTL_S after its last SDP or RTCP (capture clock), and the timer expires it too', () => {
    const { d, reports, feed } = decoder(10n);
    feed(udp('192.0.2.1', 5060, '192.0.2.2', 5060, testing.sipRequest({ callId: 'call-c', body: sdp('192.0.2.1', 12000) })), T0);
    feed(udp('198.51.100.2', 14001, '192.0.2.1', 12001, RTCP_FIXTURES.srSdes), T0 + 9n * S);
    feed(udp('198.51.100.2', 14001, '192.0.2.1', 12001, RTCP_FIXTURES.srSdes), T0 + 18n * S); // refreshed at 9 s
    feed(udp('198.51.100.2', 14001, '192.0.2.1', 12001, RTCP_FIXTURES.srSdes), T0 + 29n * S); // 11 s of silence
    expect(reports).toHaveLength(2);
    expect(d.rtcp!.counters.unmatched).toBe(1);
    expect(d.rtcp!.calls.size).toBe(0);
  });

  it('matches SIP ports before RTCP ports: a SIP port inside RTCP_PORT_RANGE stays SIP', () => {
    const reports: CapturedReport[] = [];
    const sip: CapturedMessage[] = [];
    const d = new RawDecoder({
      ports: { from: 15060, to: 15060 },
      rtcp: { ports: { from: 10_000, to: 20_000 }, maxItems: 10, maxBytes: 1 << 16, ttlMicros: S, onReport: (r) => reports.push(r) },
    });
    d.decode(LinkType.ETHERNET, udp('192.0.2.1', 15060, '192.0.2.2', 15060, testing.sipRequest({ callId: 'x' })), T0, (m) => sip.push(m));
    expect([sip.length, reports.length]).toEqual([1, 0]);
  });
});

describe('looksLikeRtcp', () => {
  it('tells RTCP (version 2, packet type 200-207) from RTP and short or foreign payloads', () => {
    for (const b of Object.values(RTCP_FIXTURES)) expect(looksLikeRtcp(b)).toBe(true);
    expect(looksLikeRtcp(rtp)).toBe(false);
    expect(looksLikeRtcp(Buffer.from([0x80, 0xc8, 0, 1]))).toBe(false); // no SSRC
    expect(looksLikeRtcp(Buffer.from([0x40, 0xc8, 0, 1, 0, 0, 0, 0]))).toBe(false); // version 1
    expect(looksLikeRtcp(Buffer.from([0x80, 0xd0, 0, 1, 0, 0, 0, 0]))).toBe(false); // type 208
    expect(looksLikeRtcp(Buffer.from('INVITE sip:x SIP/2.0\r\n'))).toBe(false);
  });
});
