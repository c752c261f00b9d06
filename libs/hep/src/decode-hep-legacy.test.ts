import { describe, expect, it } from 'vitest';
import { decodeHep } from './decode-hep';
import { decodeHepLegacy } from './decode-hep-legacy';
import { SIP_INVITE } from './test-fixtures';

/**
 * A HEP v1/v2 packet written byte by byte, independent of the encoder. The header length byte is what
 * Kamailio's siptrace writes (16 or 40, v2's time header not counted) unless `countTime` asks for the
 * other form (28 or 52).
 */
function legacy(
  version: 1 | 2,
  family: 2 | 10,
  addr: number[][],
  time?: { sec: number; usec: number; id: number },
  countTime = false,
): Buffer {
  const size = family === 2 ? 4 : 16;
  const hl = 8 + 2 * size + (version === 2 ? 12 : 0);
  const b = Buffer.alloc(hl + SIP_INVITE.length);
  b[0] = version;
  b[1] = 8 + 2 * size + (countTime && version === 2 ? 12 : 0);
  b[2] = family;
  b[3] = 17;
  b.writeUInt16BE(5060, 4);
  b.writeUInt16BE(5070, 6);
  b.set(addr[0], 8);
  b.set(addr[1], 8 + size);
  if (time) {
    b.writeUInt32LE(time.sec, 8 + 2 * size);
    b.writeUInt32LE(time.usec, 12 + 2 * size);
    b.writeUInt16LE(time.id, 16 + 2 * size);
  }
  SIP_INVITE.copy(b, hl);
  return b;
}

const v6a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const v6b = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b];

describe('decodeHep: HEP v1', () => {
  it('decodes IPv4', () => {
    const buf = legacy(1, 2, [
      [10, 0, 0, 1],
      [192, 168, 1, 20],
    ]);
    const r = decodeHep(buf);
    expect(r).toEqual({
      ok: true,
      packet: expect.objectContaining({
        version: 1,
        family: 2,
        ipProto: 17,
        srcIp: '10.0.0.1',
        dstIp: '192.168.1.20',
        srcPort: 5060,
        dstPort: 5070,
        tsSec: 0,
        tsUsec: 0,
        payloadType: 1,
        captureId: 0,
        compressed: false,
      }),
    });
    if (!r.ok) return;
    expect(r.packet.payload.equals(SIP_INVITE)).toBe(true);
    expect(r.packet.payload.buffer).toBe(buf.buffer); // a view of the datagram, not a copy
    expect(r.packet.payload.byteOffset).toBe(buf.byteOffset + 16);
  });

  it('decodes IPv6', () => {
    const r = decodeHep(legacy(1, 10, [v6a, v6b]));
    expect(r.ok && r.packet).toMatchObject({ version: 1, family: 10, srcIp: '2001:db8::1', dstIp: '2001:db8::a0b' });
    expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
  });
});

describe('decodeHep: HEP v2', () => {
  it('decodes IPv4 with the little-endian time header', () => {
    const r = decodeHep(
      legacy(
        2,
        2,
        [
          [10, 0, 0, 1],
          [10, 0, 0, 2],
        ],
        { sec: 1_700_000_123, usec: 987_654, id: 2001 },
      ),
    );
    expect(r.ok && r.packet).toMatchObject({
      version: 2,
      family: 2,
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      tsSec: 1_700_000_123,
      tsUsec: 987_654,
      captureId: 2001,
    });
    expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
  });

  it('decodes IPv6 with the little-endian time header', () => {
    const r = decodeHep(legacy(2, 10, [v6b, v6a], { sec: 0xfffffffe, usec: 999_999, id: 0xfffe }));
    expect(r.ok && r.packet).toMatchObject({
      version: 2,
      family: 10,
      srcIp: '2001:db8::a0b',
      dstIp: '2001:db8::1',
      tsSec: 0xfffffffe,
      tsUsec: 999_999,
      captureId: 0xfffe,
    });
    expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
  });
});

/**
 * Byte-exact packets as Kamailio's siptrace writes them (src/modules/siptrace/siptrace_hep.c,
 * trace_send_hep2_duplicate): struct hep_hdr {hp_v, hp_l = sizeof(hep_hdr) + sizeof(hep_iphdr|hep_ip6hdr),
 * hp_f, hp_p, hp_sport (network order), hp_dport}, then struct hep_iphdr/hep_ip6hdr {src, dst}, then for v2
 * struct hep_timehdr {tv_sec = to_le(..), tv_usec = to_le(..), captid (host order = little-endian on x86),
 * 2 bytes of padding copied from an uninitialised stack struct}, then the SIP message. Written as hex so
 * they do not depend on any helper here.
 */
const SIP = 'OPTIONS sip:[::1]:5060 SIP/2.0\r\nCall-ID: k1\r\n\r\n';
const sipHex = Buffer.from(SIP).toString('hex');
const siptrace = {
  v1v4:
    '01' +
    '10' +
    '02' +
    '11' +
    '13c4' +
    '13ce' + // v1, hp_l 16, AF_INET, UDP, 5060 -> 5070
    '7f000001' +
    '7f000002' +
    sipHex, // 127.0.0.1 -> 127.0.0.2
  v2v4:
    '02' +
    '10' +
    '02' +
    '06' +
    '13c4' +
    '2382' + // v2, hp_l 16 (time header NOT counted), AF_INET, TCP, 5060 -> 9090
    'c0a80101' +
    '0a000002' + // 192.168.1.1 -> 10.0.0.2
    '7b60a66a' +
    '40e20100' +
    'e903' +
    'a5a5' + // tv_sec 0x6aa6607b LE, tv_usec 123456 LE, captid 1001 LE, padding garbage
    sipHex,
  v2v6:
    '02' +
    '28' +
    '0a' +
    '11' +
    '13c4' +
    '13c5' + // v2, hp_l 40 (time header NOT counted), AF_INET6, UDP, 5060 -> 5061
    '00000000000000000000000000000001' +
    '20010db8000000000000000000000abc' + // ::1 -> 2001:db8::abc
    '00ca9a3b' +
    '3f420f00' +
    '0100' +
    '0000' + // tv_sec 1e9, tv_usec 999999, captid 1
    sipHex,
  v1v6:
    '01' +
    '28' +
    '0a' +
    '11' +
    '13c4' +
    '13c5' + // v1, hp_l 40, AF_INET6, UDP
    '20010db8000000000000000000000abc' +
    '00000000000000000000000000000001' +
    sipHex,
};

describe('decodeHep: HEP v1/v2 as Kamailio siptrace writes it (header length byte 16/40)', () => {
  it('v1 IPv4, length byte 16', () => {
    const r = decodeHep(Buffer.from(siptrace.v1v4, 'hex'));
    expect(r.ok && r.packet).toMatchObject({
      version: 1,
      family: 2,
      ipProto: 17,
      srcIp: '127.0.0.1',
      dstIp: '127.0.0.2',
      srcPort: 5060,
      dstPort: 5070,
      tsSec: 0,
      tsUsec: 0,
      captureId: 0,
      payloadType: 1,
    });
    expect(r.ok && r.packet.payload.toString()).toBe(SIP);
  });

  it('v1 IPv6, length byte 40', () => {
    const r = decodeHep(Buffer.from(siptrace.v1v6, 'hex'));
    expect(r.ok && r.packet).toMatchObject({ version: 1, family: 10, srcIp: '2001:db8::abc', dstIp: '::1', srcPort: 5060, dstPort: 5061 });
    expect(r.ok && r.packet.payload.toString()).toBe(SIP);
  });

  it('v2 IPv4, length byte 16: the time header after the addresses is read, not taken as payload', () => {
    const r = decodeHep(Buffer.from(siptrace.v2v4, 'hex'));
    expect(r.ok && r.packet).toMatchObject({
      version: 2,
      family: 2,
      ipProto: 6,
      srcIp: '192.168.1.1',
      dstIp: '10.0.0.2',
      srcPort: 5060,
      dstPort: 9090,
      tsSec: 0x6aa6607b,
      tsUsec: 123_456,
      captureId: 1001,
      payloadType: 1,
    });
    expect(r.ok && r.packet.payload.toString()).toBe(SIP);
  });

  it('v2 IPv6, length byte 40', () => {
    const r = decodeHep(Buffer.from(siptrace.v2v6, 'hex'));
    expect(r.ok && r.packet).toMatchObject({
      version: 2,
      family: 10,
      srcIp: '::1',
      dstIp: '2001:db8::abc',
      srcPort: 5060,
      dstPort: 5061,
      tsSec: 1_000_000_000,
      tsUsec: 999_999,
      captureId: 1,
    });
    expect(r.ok && r.packet.payload.toString()).toBe(SIP);
  });

  it('v2 from a sender that counts the time header (28/52) decodes to the same packet', () => {
    for (const family of [2, 10] as const) {
      const addr =
        family === 2
          ? [
              [10, 0, 0, 1],
              [10, 0, 0, 2],
            ]
          : [v6a, v6b];
      const time = { sec: 1_700_000_000, usec: 5, id: 7 };
      const kamailio = decodeHep(legacy(2, family, addr, time));
      const counted = decodeHep(legacy(2, family, addr, time, true));
      expect(counted.ok).toBe(true);
      expect(kamailio.ok).toBe(true);
      expect(counted).toEqual(kamailio);
      expect(kamailio.ok && kamailio.packet.payload.equals(SIP_INVITE)).toBe(true);
    }
  });
});

describe('decodeHep: HEP v2 as sngrep 1.6.0 writes it (the length byte holds the high byte of the datagram length)', () => {
  // Captured from `sngrep -I x.pcap -H udp:127.0.0.1:PORT -N -q` with `set eep.send.version 2`, `set eep.send.id 2111`:
  // v2, hp_l 0, AF_INET, UDP, 5060 -> 5060, 10.1.1.1 -> 10.1.1.2, tv_sec 1700000000, tv_usec 100, captid 2111,
  // 2 padding bytes of garbage, then the SIP message.
  const sngrep = '02' + '00' + '02' + '11' + '13c4' + '13c4' + '0a010101' + '0a010102' + '00f15365' + '64000000' + '3f08' + 'a62e' + sipHex;
  it('a datagram over 255 bytes: the byte is 1 (sngrep assigns htons(total length) to the u8)', () => {
    const pad = 'X-Pad: ' + 'p'.repeat(300) + '\r\n';
    const long = SIP.replace('\r\n\r\n', `\r\n${pad}\r\n`);
    const hex = sngrep.slice(0, 2) + '01' + sngrep.slice(4, 4 + 2 * 28 - 4) + Buffer.from(long).toString('hex');
    const r = decodeHep(Buffer.from(hex, 'hex'));
    expect(r.ok && r.packet.payload.toString()).toBe(long);
    const wrong = decodeHep(Buffer.from(hex.slice(0, 2) + '00' + hex.slice(4), 'hex')); // 0 would claim < 256 bytes
    expect(wrong.ok).toBe(false);
  });

  it('decodes it: the byte is 0 below 256 bytes, the layout follows the family', () => {
    const r = decodeHep(Buffer.from(sngrep, 'hex'));
    expect(r.ok && r.packet).toMatchObject({
      version: 2,
      family: 2,
      ipProto: 17,
      srcIp: '10.1.1.1',
      dstIp: '10.1.1.2',
      srcPort: 5060,
      dstPort: 5060,
      tsSec: 1_700_000_000,
      tsUsec: 100,
      captureId: 2111,
    });
    expect(r.ok && r.packet.payload.toString()).toBe(SIP);
  });
});

describe('decodeHepLegacy: malformed', () => {
  const good = legacy(1, 2, [
    [10, 0, 0, 1],
    [10, 0, 0, 2],
  ]);
  const cases: [string, Buffer, string][] = [
    ['3 bytes', good.subarray(0, 3), 'truncated_header'],
    ['a v1 IPv4 header cut at 15 bytes', good.subarray(0, 15), 'truncated_header'],
    ['a v2 IPv6 header cut at 51 bytes', legacy(2, 10, [v6a, v6b]).subarray(0, 51), 'truncated_header'],
    ['v1 IPv4 header length 20', Buffer.concat([Buffer.from([1, 20]), good.subarray(2)]), 'bad_header_length'],
    [
      'v1 IPv6 header length 16 (the IPv4 size)',
      Buffer.concat([Buffer.from([1, 16]), legacy(1, 10, [v6a, v6b]).subarray(2)]),
      'bad_header_length',
    ],
    [
      'v1 IPv4 header length 28 (v1 has no time header to count)',
      Buffer.concat([Buffer.from([1, 28]), good.subarray(2)]),
      'bad_header_length',
    ],
    [
      'v2 IPv4 header length 40 (the IPv6 size)',
      Buffer.concat([
        Buffer.from([2, 40]),
        legacy(2, 2, [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
        ]).subarray(2),
      ]),
      'bad_header_length',
    ],
    [
      'v2 IPv4 header length 52 (the IPv6 size with time)',
      Buffer.concat([
        Buffer.from([2, 52]),
        legacy(2, 2, [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
        ]).subarray(2),
      ]),
      'bad_header_length',
    ],
    [
      'v2 IPv6 header length 16 (the IPv4 size)',
      Buffer.concat([Buffer.from([2, 16]), legacy(2, 10, [v6a, v6b]).subarray(2)]),
      'bad_header_length',
    ],
    [
      'v2 IPv6 header length 28 (the IPv4 size with time)',
      Buffer.concat([Buffer.from([2, 28]), legacy(2, 10, [v6a, v6b]).subarray(2)]),
      'bad_header_length',
    ],
    [
      'v2 IPv4 header length 20',
      Buffer.concat([
        Buffer.from([2, 20]),
        legacy(2, 2, [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
        ]).subarray(2),
      ]),
      'bad_header_length',
    ],
    ['v1 IPv4 header length 0 (sngrep has no v1)', Buffer.concat([Buffer.from([1, 0]), good.subarray(2)]), 'bad_header_length'],
    [
      'v2 IPv4 header length 255',
      Buffer.concat([
        Buffer.from([2, 255]),
        legacy(2, 2, [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
        ]).subarray(2),
      ]),
      'bad_header_length',
    ],
    ['v1 IPv6 header length 52', Buffer.concat([Buffer.from([1, 52]), legacy(1, 10, [v6a, v6b]).subarray(2)]), 'bad_header_length'],
    [
      'a v2 IPv4 packet (length byte 16) cut inside its time header',
      legacy(2, 2, [
        [1, 1, 1, 1],
        [2, 2, 2, 2],
      ]).subarray(0, 27),
      'truncated_header',
    ],
    [
      'a v2 IPv4 packet (length byte 16) with only the time header',
      legacy(2, 2, [
        [1, 1, 1, 1],
        [2, 2, 2, 2],
      ]).subarray(0, 28),
      'missing_payload',
    ],
    ['family 3', Buffer.concat([Buffer.from([1, 16, 3]), good.subarray(3)]), 'bad_family'],
    ['no payload', good.subarray(0, 16), 'missing_payload'],
  ];
  for (const [name, buf, reason] of cases) {
    it(`${name} -> ${reason}`, () => {
      const r = decodeHepLegacy(buf);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(reason);
        expect(r.message.length).toBeGreaterThan(0);
      }
    });
  }
});
