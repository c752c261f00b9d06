import { describe, expect, it } from 'vitest';
import { DECODE_FAILURE_REASONS } from './decode-failure';
import { decodeFrame } from './decode-frame';
import { IPIP_FRAME_HEX, OPTIONS_FRAME_HEX, VLAN_IPV6_FRAME_HEX } from './fixtures/captured';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest({ body: t.sdpBody(120) });
const udp4 = t.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: sip });
const udp6 = t.udpPacket({ src: 'fd00::1', dst: 'fd00::2', srcPort: 5060, dstPort: 5060, payload: sip });
const tcp4 = t.tcpPacket({
  src: '10.0.0.1',
  dst: '10.0.0.2',
  srcPort: 40000,
  dstPort: 5060,
  seq: 1,
  payload: sip,
  options: Buffer.from([1, 1, 1, 1]),
});
const outer = { outerSrc: '192.0.2.1', outerDst: '192.0.2.2' };
const innerFrame = t.ethernetFrame({ payload: udp4, vlans: [9] });

/** One valid frame of every layer combination the decoder follows (none padded: every byte counts). */
const FRAMES: [string, number, Buffer][] = [
  ['hand-written OPTIONS', LinkType.ETHERNET, Buffer.from(OPTIONS_FRAME_HEX, 'hex')],
  ['hand-written VLAN IPv6', LinkType.ETHERNET, Buffer.from(VLAN_IPV6_FRAME_HEX, 'hex')],
  ['hand-written IPIP', LinkType.ETHERNET, Buffer.from(IPIP_FRAME_HEX, 'hex')],
  ['QinQ IPv4 UDP', LinkType.ETHERNET, t.ethernetFrame({ payload: udp4, vlans: [{ id: 1, tpid: 0x88a8 }, 2] })],
  ['IPv6 UDP', LinkType.ETHERNET, t.ethernetFrame({ payload: udp6 })],
  ['IPv4 TCP', LinkType.ETHERNET, t.ethernetFrame({ payload: tcp4 })],
  [
    'IPv4 options',
    LinkType.RAW,
    t.ipv4Packet({
      src: '10.0.0.1',
      dst: '10.0.0.2',
      protocol: 17,
      options: Buffer.from([0x94, 4, 0, 0, 1, 1, 1, 0]),
      payload: t.udpDatagram({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: sip }),
    }),
  ],
  [
    'IPv6 extensions',
    LinkType.RAW,
    t.ipv6Packet({
      src: 'fd00::1',
      dst: 'fd00::2',
      nextHeader: 0,
      extensions: Buffer.concat([t.ipv6Extension(43, 16), t.ipv6Extension(51), t.ipv6AuthHeader(17)]),
      payload: t.udpDatagram({ src: 'fd00::1', dst: 'fd00::2', srcPort: 1, dstPort: 2, payload: sip }),
    }),
  ],
  ['SLL', LinkType.LINUX_SLL, t.sllFrame(udp4)],
  ['SLL2', LinkType.LINUX_SLL2, t.sll2Frame(udp6)],
  ['NULL', LinkType.NULL, t.nullFrame(udp6, 30)],
  ['LOOP', LinkType.LOOP, t.loopFrame(udp4, 2)],
  ['IPv6 in IPv4', LinkType.RAW, t.ipipPacket({ ...outer, inner: udp6 })],
  ['GRE all fields', LinkType.RAW, t.grePacket({ ...outer, protocol: 0x0800, checksum: true, key: 1, sequence: 2, payload: udp4 })],
  ['GRE bridging', LinkType.RAW, t.grePacket({ ...outer, protocol: 0x6558, payload: innerFrame })],
  ['VXLAN', LinkType.RAW, t.vxlanPacket({ ...outer, vni: 7, innerFrame })],
  ['ERSPAN II', LinkType.RAW, t.erspanIIPacket({ ...outer, sessionId: 3, innerFrame })],
  ['ERSPAN III', LinkType.RAW, t.erspanIIIPacket({ ...outer, sessionId: 3, inner: innerFrame, subheader: true })],
  ['MPLS', LinkType.ETHERNET, t.ethernetFrame({ payload: Buffer.concat([Buffer.from([0, 0, 1, 64]), udp4]), etherType: 0x8847 })],
  ['SCTP', LinkType.RAW, t.ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 132, payload: t.sctpPacketBody(5060, 5060, [sip]) })],
];

/** Deterministic pseudo-random numbers (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('decodeFrame on damaged input', () => {
  it.each(FRAMES)('%s: the whole frame decodes', (_name, linktype, frame) => {
    expect(decodeFrame(linktype, frame).ok).toBe(true);
  });

  it.each(FRAMES)('%s: every strict prefix is reported as truncated, without throwing', (_name, linktype, frame) => {
    for (let n = 0; n < frame.length; n++) {
      const r = decodeFrame(linktype, frame.subarray(0, n));
      expect(r.ok, `prefix of ${n} bytes`).toBe(false);
      if (!r.ok) expect(r.reason, `prefix of ${n} bytes: ${r.message}`).toBe('truncated');
    }
  });

  it('never throws on randomly corrupted frames, and keeps the payload inside the frame', () => {
    const next = random(20240611);
    for (let i = 0; i < 20000; i++) {
      const [, linktype, original] = FRAMES[i % FRAMES.length];
      const frame = Buffer.from(original);
      const flips = 1 + Math.floor(next() * 4);
      for (let k = 0; k < flips; k++) frame[Math.floor(next() * frame.length)] = Math.floor(next() * 256);
      const cut = next() < 0.3 ? Math.floor(next() * frame.length) : frame.length;
      const view = frame.subarray(0, cut);
      const r = decodeFrame(linktype, view);
      if (r.ok) {
        const data = r.packet.fragment?.data ?? r.packet.payload;
        expect(data.byteOffset).toBeGreaterThanOrEqual(view.byteOffset);
        expect(data.byteOffset + data.length).toBeLessThanOrEqual(view.byteOffset + view.length);
      } else {
        expect(DECODE_FAILURE_REASONS).toContain(r.reason);
      }
    }
  });
});
