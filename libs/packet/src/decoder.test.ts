import { describe, expect, it } from 'vitest';
import { Decoder } from './decoder';
import { LOOPBACK_PCAPNG, LOOPBACK_PCAP_NANOS, LOOPBACK_SLL2_PCAP } from './fixtures/captured';
import { LinkType } from './linktype';
import { readCaptureFile } from './pcap-file/read-capture-file';
import { parsePortRange, portRangeFilter } from './port-range';
import type { SipCandidate } from './sip-candidate';
import * as t from './testing/index';

function decodeFile(decoder: Decoder, base64: string): SipCandidate[] {
  const out: SipCandidate[] = [];
  for (const r of readCaptureFile(Buffer.from(base64, 'base64'))) out.push(...decoder.decode(r.linktype, r.frame, r.tsMicros));
  return out;
}

const callIdOf = (c: SipCandidate) => /Call-ID: (\S+)/.exec(c.payload.toString('latin1'))?.[1];

describe('Decoder', () => {
  it.each([
    ['tcpdump -i lo (Ethernet, ns)', LOOPBACK_PCAP_NANOS],
    ['tcpdump -i any (SLL2)', LOOPBACK_SLL2_PCAP],
    ['pcapng', LOOPBACK_PCAPNG],
  ])('gives every SIP message of a real loopback capture: %s', (_name, file) => {
    const decoder = new Decoder();
    const out = decodeFile(decoder, file);
    expect(out.map((c) => [c.transport, c.family, c.srcIp, c.dstPort, callIdOf(c)])).toEqual([
      ['udp', 2, '127.0.0.1', 5099, 'udp4-1'],
      ['udp', 10, '::1', 5099, 'udp6-1'],
      ['tcp', 2, '127.0.0.1', 5098, 'tcp-1'],
      ['tcp', 2, '127.0.0.1', 5098, 'tcp-2'],
      ['tcp', 2, '127.0.0.1', 5098, 'tcp-3'],
    ]);
    // The TCP messages are whole: framed by their Content-Length, bodies included.
    expect(out[2].payload.toString('latin1').endsWith('\r\n\r\nhello there')).toBe(true);
    expect(out[4].payload.toString('latin1').endsWith('\r\n\r\nthird')).toBe(true);
    expect(out[0].tsMicros).toBe(1795669124674747n);
    expect(decoder.tcp!.counters.keepalives).toBe(1);
    expect(decoder.tcp!.streamCount).toBe(0); // both directions ended with FIN
  });

  it('copies UDP payloads so they outlive the frame buffer', () => {
    const frame = t.buildEthernetIpv4Udp({ srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: t.sipRequest() });
    const [c] = new Decoder().decode(LinkType.ETHERNET, frame, 7n);
    frame.fill(0);
    expect(c.payload.toString('latin1')).toBe(t.sipRequest().toString('latin1'));
    expect(c).toMatchObject({ transport: 'udp', tsMicros: 7n, srcIp: '192.0.2.1' });
  });

  it('reassembles fragments (also of the outer packet of a tunnel) before applying the port filter', () => {
    const decoder = new Decoder({ portFilter: portRangeFilter({ from: 5060, to: 5060 }) });
    const sip = t.sipRequest({ body: t.sdpBody(2500) });
    const inner = t.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: sip });
    const outer = t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.2', inner });
    const pieces = t.fragmentIpv4(outer, 1200).reverse();
    const out = pieces.flatMap((p, i) => decoder.decode(LinkType.RAW, p, BigInt(i)));
    expect(out.length).toBe(1);
    expect(out[0]).toMatchObject({ srcIp: '10.0.0.1', tunnel: { kind: 'ipip', srcIp: '192.0.2.1' }, tsMicros: 2n });
    expect(out[0].payload.equals(sip)).toBe(true);
    expect(decoder.counters.fragments).toBe(3);
  });

  it('applies the port filter to both ports and counts what it drops', () => {
    const range = parsePortRange('5060-5070');
    if (!range.ok) throw new Error(range.message);
    const decoder = new Decoder({ portFilter: portRangeFilter(range.range) });
    const frame = (srcPort: number, dstPort: number) =>
      t.buildEthernetIpv4Udp({ srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort, dstPort, payload: t.sipRequest() });
    expect(decoder.decode(LinkType.ETHERNET, frame(40000, 5065), 1n).length).toBe(1);
    expect(decoder.decode(LinkType.ETHERNET, frame(5070, 40000), 1n).length).toBe(1);
    expect(decoder.decode(LinkType.ETHERNET, frame(40000, 5071), 1n).length).toBe(0);
    expect(decoder.counters.filtered).toBe(1);
  });

  it('counts keep-alives and decode failures by reason instead of returning them', () => {
    const decoder = new Decoder();
    const ping = t.buildEthernetIpv4Udp({
      srcIp: '192.0.2.1',
      dstIp: '192.0.2.2',
      srcPort: 5060,
      dstPort: 5060,
      payload: Buffer.from('\r\n\r\n'),
    });
    expect(decoder.decode(LinkType.ETHERNET, ping, 1n)).toEqual([]);
    expect(decoder.decode(LinkType.ETHERNET, ping.subarray(0, 20), 1n)).toEqual([]);
    expect(decoder.decode(9999, ping, 1n)).toEqual([]);
    expect(decoder.counters).toMatchObject({ frames: 3, keepalives: 1, failed: { truncated: 1, 'unsupported-linktype': 1 } });
  });

  it('gives SCTP DATA chunks as candidates', () => {
    const body = t.sctpPacketBody(5060, 5060, [t.sipRequest(), t.sipReply()]);
    const out = new Decoder().decode(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 132, payload: body }), 1n);
    expect(out.map((c) => c.transport)).toEqual(['sctp', 'sctp']);
  });

  it('with tcp: false, ignores TCP and counts it', () => {
    const decoder = new Decoder({ tcp: false });
    const frame = t.buildEthernetTcp({
      srcIp: '192.0.2.1',
      dstIp: '192.0.2.2',
      srcPort: 1,
      dstPort: 5060,
      seq: 1,
      payload: t.sipRequest(),
    });
    expect(decoder.decode(LinkType.ETHERNET, frame, 1n)).toEqual([]);
    expect(decoder.counters.ignored).toBe(1);
  });

  it('with fragments: false, drops fragments and counts them', () => {
    const decoder = new Decoder({ fragments: false });
    const packet = t.udpPacket({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      srcPort: 5060,
      dstPort: 5060,
      payload: t.sipRequest({ body: t.sdpBody(2000) }),
    });
    const out = t.fragmentIpv4(packet, 1000).flatMap((p) => decoder.decode(LinkType.RAW, p, 1n));
    expect(out).toEqual([]);
    expect(decoder.counters.fragments).toBe(3);
  });

  it('expire() drops pending fragments and idle TCP streams', () => {
    const decoder = new Decoder({ fragments: { timeoutMicros: 1_000_000 }, tcp: { idleTimeoutMicros: 1_000_000 } });
    const big = t.udpPacket({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      srcPort: 5060,
      dstPort: 5060,
      payload: t.sipRequest({ body: t.sdpBody(2000) }),
    });
    decoder.decode(LinkType.RAW, t.fragmentIpv4(big, 1000)[0], 0n);
    decoder.decode(
      LinkType.RAW,
      t.tcpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 1, dstPort: 5060, seq: 1, payload: t.sipRequest().subarray(0, 50) }),
      0n,
    );
    expect([decoder.fragments!.pendingDatagrams, decoder.tcp!.streamCount]).toEqual([1, 1]);
    decoder.expire(2_000_000n);
    expect([decoder.fragments!.pendingDatagrams, decoder.tcp!.streamCount]).toEqual([0, 0]);
  });
});
