import { describe, expect, it } from 'vitest';
import { Decoder, LinkType, parsePortRange, portRangeFilter, readCaptureFile, testing, writePcap } from './index';

// What the integration tests of the raw agents do with the public API: build IPIP frames, write them
// to a pcap file, read it back and decode it.
describe('@sipcap/packet public API', () => {
  it('round-trips IPIP SIP frames through writePcap, readCaptureFile and Decoder', () => {
    const messages = [testing.sipRequest({ callId: 'a' }), testing.sipReply({ callId: 'a' })];
    const frames = messages.map((payload, i) =>
      testing.ethernetFrame({
        payload: testing.ipipPacket({
          outerSrc: '192.0.2.1',
          outerDst: '192.0.2.2',
          inner: testing.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: i === 0 ? 5060 : 5062, dstPort: 5060, payload }),
        }),
      }),
    );
    const file = writePcap(frames.map((frame, i) => ({ tsMicros: 1_700_000_000_000_000n + BigInt(i), frame })));
    const range = parsePortRange('5060');
    if (!range.ok) throw new Error(range.message);
    const decoder = new Decoder({ portFilter: portRangeFilter(range.range) });
    const out = [...readCaptureFile(file)].flatMap((r) => decoder.decode(r.linktype, r.frame, r.tsMicros));
    expect(out.map((c) => [c.srcIp, c.srcPort, c.tunnel?.dstIp, c.tsMicros])).toEqual([
      ['10.0.0.1', 5060, '192.0.2.2', 1_700_000_000_000_000n],
      ['10.0.0.1', 5062, '192.0.2.2', 1_700_000_000_000_001n],
    ]);
    expect(out.map((c) => c.payload.toString())).toEqual(messages.map((m) => m.toString()));
    expect(LinkType.ETHERNET).toBe(1);
  });
});
