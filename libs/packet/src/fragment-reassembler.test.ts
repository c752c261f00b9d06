import { describe, expect, it } from 'vitest';
import { decodeReassembled } from './decode-frame';
import type { IpFragment } from './decoded-packet';
import { DATAGRAM_OVERHEAD, FragmentReassembler, PIECE_OVERHEAD } from './fragment-reassembler';
import { LinkType } from './linktype';
import * as t from './testing/index';

const body = t.sipRequest({ body: t.sdpBody(3000) });
const datagram4 = t.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: body });
const udp6 = t.udpDatagram({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 5060, dstPort: 5062, payload: body });

function fragmentsOf(packets: Buffer[], linktype: number = LinkType.RAW): IpFragment[] {
  return packets.map((p) => {
    const f = t.mustDecode(linktype, p).fragment;
    if (f === undefined) throw new Error('not a fragment');
    return f;
  });
}

const ipv4Fragments = () => fragmentsOf(t.fragmentIpv4(datagram4, 1000));
const ipv6Fragments = () =>
  fragmentsOf(t.fragmentIpv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, payload: udp6, id: 0x01020304, size: 1232 }));

function feed(r: FragmentReassembler, fragments: IpFragment[], ts = 1_000_000n) {
  const done = fragments.map((f) => r.push(f, ts)).filter((x) => x !== undefined);
  return done;
}

describe('FragmentReassembler', () => {
  it('reassembles IPv4 fragments received out of order and decodes the UDP header', () => {
    const frags = ipv4Fragments();
    expect(frags.length).toBe(4);
    const r = new FragmentReassembler();
    const done = feed(r, [frags[2], frags[0], frags[3], frags[1]]);
    expect(done.length).toBe(1);
    const p = decodeReassembled(done[0].fragment, done[0].payload);
    expect(p.ok && p.packet).toMatchObject({ srcIp: '192.0.2.1', srcPort: 5060, dstPort: 5060, ipProto: 17 });
    expect(p.ok && p.packet.payload.equals(body)).toBe(true);
    expect(r.pendingDatagrams).toBe(0);
    expect(r.pendingBytes).toBe(0);
    expect(r.counters).toMatchObject({ fragments: 4, reassembled: 1 });
  });

  it('reassembles IPv6 fragments in reverse order', () => {
    const frags = ipv6Fragments();
    const r = new FragmentReassembler();
    const done = feed(r, [...frags].reverse());
    expect(done.length).toBe(1);
    const p = decodeReassembled(done[0].fragment, done[0].payload);
    expect(p.ok && p.packet).toMatchObject({ family: 10, srcIp: '2001:db8::1', dstPort: 5062 });
    expect(p.ok && p.packet.payload.equals(body)).toBe(true);
  });

  it('walks extension headers that were inside the fragmentable part', () => {
    const inner = Buffer.concat([t.ipv6Extension(17, 8), udp6]); // destination options, then UDP
    const frags = fragmentsOf(t.fragmentIpv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 60, payload: inner, id: 5, size: 800 }));
    const done = feed(new FragmentReassembler(), frags);
    const p = decodeReassembled(done[0].fragment, done[0].payload);
    expect(p.ok && p.packet.payload.equals(body)).toBe(true);
  });

  it('keeps the first copy of overlapping bytes (first-wins) and counts duplicates and overlaps', () => {
    const frags = ipv4Fragments();
    // A forged fragment covering the second half of fragment 0 and the first half of fragment 1, with other bytes.
    const forged: IpFragment = { ...frags[1], offset: 496, data: Buffer.alloc(1000, 0x58), more: true };
    const r = new FragmentReassembler();
    expect(r.push(frags[0], 1n)).toBeUndefined();
    expect(r.push(frags[0], 2n)).toBeUndefined(); // exact duplicate
    expect(r.push(forged, 3n)).toBeUndefined(); // fills 1000..1496 with X: the hole fragment 1 would fill
    const done = feed(r, [frags[1], frags[2], frags[3]]);
    expect(done.length).toBe(1);
    const payload = done[0].payload;
    // Bytes 0..1000 come from fragment 0, 1000..1496 from the forged one (it came before fragment 1).
    expect(payload.subarray(0, 1000).equals(frags[0].data)).toBe(true);
    expect(payload.subarray(1000, 1496).every((b) => b === 0x58)).toBe(true);
    expect(payload.subarray(1496, 2000).equals(frags[1].data.subarray(496))).toBe(true);
    expect(r.counters).toMatchObject({ duplicates: 1, overlaps: 2, reassembled: 1 });
  });

  it('drops an incomplete datagram after the timeout, by packet time', () => {
    const frags = ipv4Fragments();
    const r = new FragmentReassembler({ timeoutMicros: 30_000_000 });
    r.push(frags[0], 1_000_000n);
    r.push(frags[1], 20_000_000n);
    expect(r.pendingDatagrams).toBe(1);
    expect(r.expire(30_999_999n)).toBe(0);
    expect(r.expire(31_000_000n)).toBe(1);
    expect(r.counters.timedOut).toBe(1);
    expect(r.pendingBytes).toBe(0);
    // The late fragments start a new datagram that never completes without the first two.
    expect(feed(r, [frags[2], frags[3]], 31_000_001n)).toEqual([]);
  });

  it('expires old datagrams when a later fragment arrives', () => {
    const frags = ipv4Fragments();
    const other = fragmentsOf(
      t.fragmentIpv4(t.udpPacket({ src: '192.0.2.9', dst: '192.0.2.2', srcPort: 1, dstPort: 2, payload: body }), 1000),
    );
    const r = new FragmentReassembler({ timeoutMicros: 1000 });
    r.push(frags[0], 0n);
    r.push(other[0], 5000n);
    expect(r.counters.timedOut).toBe(1);
    expect(r.pendingDatagrams).toBe(1);
  });

  it('stays within maxBytes by dropping the oldest datagrams', () => {
    // Two 1000-byte pieces of one datagram and its fixed costs fit; a third piece anywhere does not.
    const twoPieces = DATAGRAM_OVERHEAD + 2 * (1000 + PIECE_OVERHEAD);
    const r = new FragmentReassembler({ maxBytes: twoPieces + 500 });
    const a = ipv4Fragments();
    const b = fragmentsOf(t.fragmentIpv4(t.udpPacket({ src: '192.0.2.7', dst: '192.0.2.2', srcPort: 1, dstPort: 2, payload: body }), 1000));
    r.push(a[0], 1n);
    r.push(a[1], 2n);
    expect(r.pendingBytes).toBe(twoPieces);
    r.push(b[0], 3n); // does not fit next to a: datagram a goes
    expect(r.counters.evicted).toBe(1);
    expect(r.pendingDatagrams).toBe(1);
    expect(r.pendingBytes).toBe(DATAGRAM_OVERHEAD + 1000 + PIECE_OVERHEAD);
    expect(feed(r, b.slice(1, 3), 4n)).toEqual([]);
    // b alone now needs more than the budget: it is dropped rather than kept half.
    expect(r.counters.evicted).toBe(2);
    expect(r.pendingBytes).toBeLessThanOrEqual(twoPieces + 500);
  });

  it('charges a fixed cost per piece: datagrams of 255 tiny fragments stay within the budget in pieces, not only in data', () => {
    const r = new FragmentReassembler(); // 8 MiB, 4096 datagrams, 256 fragments each
    const base = ipv4Fragments()[0];
    let ts = 1n;
    // Every other 8-byte slot of each datagram, so no piece merges with another and none completes.
    for (let k = 0; k < 255; k++) {
      for (let id = 0; id < 1024; id++) r.push({ ...base, id, offset: k * 16, more: true, data: Buffer.alloc(8, k) }, ts);
      ts++;
    }
    const budget = 8 * 1024 * 1024;
    expect(r.pendingBytes).toBeLessThanOrEqual(budget);
    // Counted by data alone, 1024 × 255 × 8 bytes = 2 MiB would all have been kept: 261,120 pieces of ~150
    // bytes of heap each (the 4096 datagrams: 1,044,480 pieces, +156 MiB). With 256 bytes per piece
    // at most budget / 264 are kept. (1024 rather than 4096 datagrams keeps the test under a few seconds.)
    expect(r.pendingPieces).toBeLessThanOrEqual(Math.floor(budget / (8 + PIECE_OVERHEAD)));
    expect(r.pendingPieces).toBeGreaterThan(20_000); // still a working budget, not emptied
    expect(r.counters.evicted).toBeGreaterThan(0);
  });

  it('stays within maxDatagrams by dropping the oldest', () => {
    const r = new FragmentReassembler({ maxDatagrams: 2 });
    for (let i = 0; i < 5; i++) {
      const f = fragmentsOf(
        t.fragmentIpv4(t.udpPacket({ src: `192.0.2.${i + 1}`, dst: '192.0.2.100', srcPort: 1, dstPort: 2, payload: body }), 1000),
      );
      r.push(f[0], BigInt(i));
    }
    expect(r.pendingDatagrams).toBe(2);
    expect(r.counters.evicted).toBe(3);
  });

  it('drops datagrams with inconsistent offsets and counts them', () => {
    const frags = ipv4Fragments();
    const r = new FragmentReassembler();
    // Beyond 65535.
    expect(r.push({ ...frags[1], offset: 65000, data: Buffer.alloc(1000) }, 1n)).toBeUndefined();
    // A non-final fragment whose size is not a multiple of 8.
    expect(r.push({ ...frags[1], id: 99, data: Buffer.alloc(13) }, 1n)).toBeUndefined();
    // Two different ends.
    r.push(frags[3], 1n);
    r.push({ ...frags[3], offset: frags[3].offset + 8 }, 1n);
    expect(r.counters.badOffset).toBe(3);
    expect(r.pendingDatagrams).toBe(0);
    // Data beyond the end the last fragment set.
    r.push(frags[3], 2n);
    r.push({ ...frags[2], offset: frags[3].offset + 8 }, 2n);
    expect(r.counters.badOffset).toBe(4);
    expect(r.pendingDatagrams).toBe(0);
  });

  it('limits the fragments of one datagram', () => {
    const r = new FragmentReassembler({ maxFragmentsPerDatagram: 3 });
    const tiny = fragmentsOf(t.fragmentIpv4(datagram4, 8)).slice(0, 5);
    feed(r, tiny);
    expect(r.counters.tooManyFragments).toBe(1);
  });

  it('keeps fragments of the same id apart when protocol, addresses or VLAN differ', () => {
    const frags = ipv4Fragments();
    const r = new FragmentReassembler();
    r.push(frags[0], 1n);
    r.push({ ...frags[1], ipProto: 6 }, 1n);
    r.push({ ...frags[2], vlans: [5] }, 1n);
    r.push({ ...frags[3], srcIp: '192.0.2.99' }, 1n);
    expect(r.pendingDatagrams).toBe(4);
  });

  it('copies fragment data, so the capture buffer may be reused', () => {
    const packets = t.fragmentIpv4(datagram4, 1000);
    const frags = fragmentsOf(packets);
    const r = new FragmentReassembler();
    r.push(frags[0], 1n);
    packets[0].fill(0); // the capture library reuses its buffer
    const done = feed(r, frags.slice(1));
    const p = decodeReassembled(done[0].fragment, done[0].payload);
    expect(p.ok && p.packet.payload.equals(body)).toBe(true);
  });
});
