import { describe, expect, it } from 'vitest';
import type { CapturedMessage } from '@sipcap/agent';
import { LinkType, testing } from '@sipcap/packet';
import { RawDecoder } from './raw-decoder';

function run(d: RawDecoder, linktype: number, frames: Buffer[]): CapturedMessage[] {
  const out: CapturedMessage[] = [];
  frames.forEach((f, i) => d.decode(linktype, f, 1_700_000_000_000_000n + BigInt(i), (m) => out.push(m)));
  return out;
}

describe('RawDecoder', () => {
  it('turns a UDP SIP frame into a captured message with its addresses, proto 1 and the pcap time', () => {
    const sip = testing.sipRequest({ callId: 'udp-1' });
    const frame = testing.buildEthernetIpv4Udp({ srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: 5062, dstPort: 5060, payload: sip });
    const [m, ...rest] = run(new RawDecoder(), LinkType.ETHERNET, [frame]);
    expect(rest).toHaveLength(0);
    expect(m).toMatchObject({
      srcIp: '192.0.2.1',
      srcPort: 5062,
      dstIp: '192.0.2.2',
      dstPort: 5060,
      family: 2,
      proto: 1,
      microTs: 1_700_000_000_000_000n,
    });
    expect(m.payload.equals(sip)).toBe(true);
  });

  it('gives TCP messages proto 2 and IPv6 family 10, split and coalesced across segments', () => {
    const a = testing.sipRequest({ callId: 'tcp-a' });
    const b = testing.sipReply({ callId: 'tcp-b' });
    const c = testing.sipRequest({ callId: 'tcp-c', method: 'BYE' });
    const stream = Buffer.concat([a, b, c]);
    const cut1 = a.length + b.length + 10;
    const seg = (seq: number, payload: Buffer, flags = 0x18) =>
      testing.buildEthernetTcp({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 40000, dstPort: 5060, seq, flags, payload });
    const frames = [seg(999, Buffer.alloc(0), 0x02), seg(1000, stream.subarray(0, cut1)), seg(1000 + cut1, stream.subarray(cut1))];
    const got = run(new RawDecoder(), LinkType.ETHERNET, frames);
    expect(got.map((m) => m.payload.toString())).toEqual([a.toString(), b.toString(), c.toString()]);
    expect(got.every((m) => m.proto === 2 && m.family === 10 && m.srcIp === '2001:db8::1')).toBe(true);
  });

  it('drops packets outside the port range', () => {
    const frame = (port: number) =>
      testing.buildEthernetIpv4Udp({ srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: port, dstPort: port, payload: testing.sipRequest() });
    const d = new RawDecoder({ ports: { from: 5060, to: 5070 } });
    expect(run(d, LinkType.ETHERNET, [frame(5060), frame(5070), frame(5071), frame(6000)])).toHaveLength(2);
    expect(d.decoder.counters.filtered).toBe(2);
  });

  it('reassembles a fragmented UDP message', () => {
    const sip = testing.sipRequest({ body: testing.sdpBody(2900) });
    const packet = testing.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: sip });
    const frags = testing.fragmentIpv4(packet, 1480);
    const got = run(new RawDecoder(), LinkType.RAW, frags.reverse());
    expect(got).toHaveLength(1);
    expect(got[0].payload.equals(sip)).toBe(true);
  });
});
