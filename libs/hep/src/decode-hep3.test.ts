import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeHep } from './decode-hep';
import { ChunkType } from './hep3-chunk-types';
import { hep3Chunk, hep3Frame } from './hep3-frame';
import type { HepPacket, HepResult } from './hep-packet';
import { ipv4Chunks, SIP_INVITE, u16, u32, u8 } from './test-fixtures';

const V6_SRC = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6_DST = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55];

function frame(chunks: Record<string, Buffer>, options?: Parameters<typeof hep3Frame>[1]): Buffer {
  return hep3Frame(Object.values(chunks), options);
}

function ok(r: HepResult): HepPacket {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.message}`);
  return r.packet;
}

function expectError(buf: Buffer, reason: string): void {
  const r = decodeHep(buf);
  expect(r.ok ? 'ok' : r.reason).toBe(reason);
  if (!r.ok) expect(r.message).not.toBe('');
}

describe('decodeHep: HEP3', () => {
  it('decodes a minimal IPv4 packet, payload as a view of the input', () => {
    const buf = frame(ipv4Chunks());
    const p = ok(decodeHep(buf));
    expect(p).toEqual({
      version: 3,
      family: 2,
      ipProto: 17,
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 5060,
      dstPort: 5080,
      tsSec: 0,
      tsUsec: 0,
      payloadType: 1,
      captureId: 0,
      payload: SIP_INVITE,
      compressed: false,
    });
    expect(p.authKey).toBeUndefined();
    expect(p.payload.buffer).toBe(buf.buffer);
    expect(p.payload.byteOffset).toBe(buf.byteOffset + buf.length - SIP_INVITE.length);
  });

  it('decodes an IPv6 packet', () => {
    const c = ipv4Chunks();
    delete c.src;
    delete c.dst;
    c.family = hep3Chunk(ChunkType.FAMILY, u8(10));
    c.src6 = hep3Chunk(ChunkType.IPV6_SRC, V6_SRC);
    c.dst6 = hep3Chunk(ChunkType.IPV6_DST, V6_DST);
    expect(ok(decodeHep(frame(c)))).toMatchObject({ family: 10, srcIp: '2001:db8::1', dstIp: 'fe80::211:22ff:fe33:4455' });
  });

  it('accepts the EEP3 magic', () => {
    const p = ok(decodeHep(frame(ipv4Chunks(), { magic: 'EEP3' })));
    expect(p).toMatchObject({ version: 3, srcIp: '10.0.0.1' });
  });

  it('decodes every vendor-0 chunk type 1..19 in one packet', () => {
    const chunks = [
      hep3Chunk(1, u8(2)),
      hep3Chunk(2, u8(6)),
      hep3Chunk(3, [192, 0, 2, 1]),
      hep3Chunk(4, [198, 51, 100, 7]),
      hep3Chunk(5, V6_SRC),
      hep3Chunk(6, V6_DST),
      hep3Chunk(7, u16(65535)),
      hep3Chunk(8, u16(1)),
      hep3Chunk(9, u32(0xfffffff0)),
      hep3Chunk(10, u32(999_999)),
      hep3Chunk(11, u8(100)),
      hep3Chunk(12, u32(0x80000001)),
      hep3Chunk(13, u16(30)),
      hep3Chunk(14, Buffer.from('s3cret')),
      hep3Chunk(15, Buffer.from('uncompressed, replaced by the next payload chunk')),
      hep3Chunk(16, deflateSync(SIP_INVITE)),
      hep3Chunk(17, Buffer.from('corr-ünïcode-1')),
      hep3Chunk(18, u16(4094)),
      hep3Chunk(19, Buffer.from('edge-01')),
    ];
    expect(ok(decodeHep(hep3Frame(chunks)))).toEqual({
      version: 3,
      family: 2,
      ipProto: 6,
      srcIp: '192.0.2.1',
      dstIp: '198.51.100.7',
      srcPort: 65535,
      dstPort: 1,
      tsSec: 0xfffffff0,
      tsUsec: 999_999,
      payloadType: 100,
      captureId: 0x80000001,
      keepAlive: 30,
      authKey: 's3cret',
      correlationId: 'corr-ünïcode-1',
      vlan: 4094,
      nodeName: 'edge-01',
      payload: SIP_INVITE,
      compressed: true,
    });
  });

  const optional: [string, Buffer, Partial<HepPacket>][] = [
    ['9 seconds', hep3Chunk(9, u32(1_700_000_000)), { tsSec: 1_700_000_000, tsUsec: 0 }],
    ['10 microseconds', hep3Chunk(10, u32(123_456)), { tsUsec: 123_456 }],
    ['11 payload type', hep3Chunk(11, u8(5)), { payloadType: 5 }],
    ['12 capture id', hep3Chunk(12, u32(2001)), { captureId: 2001 }],
    ['13 keep-alive', hep3Chunk(13, u16(15)), { keepAlive: 15 }],
    ['14 auth key', hep3Chunk(14, Buffer.from('myKey')), { authKey: 'myKey' }],
    ['14 auth key with a C terminator', hep3Chunk(14, Buffer.from('myKey\0')), { authKey: 'myKey' }],
    ['17 correlation id', hep3Chunk(17, Buffer.from('abc@host')), { correlationId: 'abc@host' }],
    ['18 VLAN', hep3Chunk(18, u16(100)), { vlan: 100 }],
    ['19 node name', hep3Chunk(19, Buffer.from('node-a')), { nodeName: 'node-a' }],
    ['an empty string chunk', hep3Chunk(19, []), { nodeName: '' }],
  ];
  for (const [name, chunk, expected] of optional) {
    it(`decodes chunk ${name}`, () => {
      const without = ok(decodeHep(frame(ipv4Chunks())));
      const p = ok(decodeHep(frame({ extra: chunk, ...ipv4Chunks() })));
      expect(p).toMatchObject(expected);
      for (const key of Object.keys(expected) as (keyof HepPacket)[]) {
        if (expected[key] !== without[key]) expect(without[key]).not.toEqual(p[key]);
      }
    });
  }

  it('skips vendor chunks and unknown types, even ones that look like known types', () => {
    const p = ok(
      decodeHep(
        hep3Frame([
          hep3Chunk(ChunkType.FAMILY, u8(99), 0x0003), // vendor 3's type 1: not a family
          hep3Chunk(ChunkType.SRC_PORT, [1, 2, 3, 4, 5, 6, 7, 8, 9], 0x0aaa), // wrong size would be an error for vendor 0
          hep3Chunk(0, [1, 2, 3]),
          hep3Chunk(20, [1]),
          hep3Chunk(0x20, Buffer.from('MOS report')),
          hep3Chunk(0xffff, []),
          ...Object.values(ipv4Chunks()),
          hep3Chunk(99, Buffer.alloc(300)),
        ]),
      ),
    );
    expect(p).toMatchObject({ family: 2, srcIp: '10.0.0.1', srcPort: 5060, dstPort: 5080, payload: SIP_INVITE });
  });

  it('uses the addresses that match the family chunk when both kinds are present', () => {
    const both = (family: number) =>
      frame({ ...ipv4Chunks(), family: hep3Chunk(1, u8(family)), s6: hep3Chunk(5, V6_SRC), d6: hep3Chunk(6, V6_DST) });
    expect(ok(decodeHep(both(2)))).toMatchObject({ family: 2, srcIp: '10.0.0.1', dstIp: '10.0.0.2' });
    expect(ok(decodeHep(both(10)))).toMatchObject({ family: 10, srcIp: '2001:db8::1', dstIp: 'fe80::211:22ff:fe33:4455' });
  });

  it('inflates a zlib compressed payload (chunk 16)', () => {
    const p = ok(decodeHep(frame({ ...ipv4Chunks(), payload: hep3Chunk(16, deflateSync(SIP_INVITE)) })));
    expect(p.compressed).toBe(true);
    expect(p.payload.equals(SIP_INVITE)).toBe(true);
  });

  it('inflates a gzip compressed payload (chunk 16)', () => {
    const p = ok(decodeHep(frame({ ...ipv4Chunks(), payload: hep3Chunk(16, gzipSync(SIP_INVITE)) })));
    expect(p.compressed).toBe(true);
    expect(p.payload.equals(SIP_INVITE)).toBe(true);
  });

  it('ignores bytes after the declared total length', () => {
    const good = frame(ipv4Chunks());
    const padded = Buffer.concat([good, Buffer.from('HEP3 garbage \x00\xff trailing')]);
    const p = ok(decodeHep(padded));
    expect(p.payload.equals(SIP_INVITE)).toBe(true);
  });

  it('decodes a 64 KiB datagram (payload of about 65,000 bytes)', () => {
    const base = frame(ipv4Chunks(Buffer.alloc(0)));
    const payload = Buffer.alloc(0xffff - base.length, 'x');
    const buf = frame(ipv4Chunks(payload));
    expect(buf.length).toBe(0xffff);
    const p = ok(decodeHep(buf));
    expect(p.payload.length).toBe(payload.length);
    expect(p.payload.length).toBeGreaterThan(65_000);
  });
});

describe('decodeHep: malformed HEP3', () => {
  const without = (name: string) => {
    const c = ipv4Chunks();
    delete c[name];
    return frame(c);
  };
  const replace = (name: string, chunk: Buffer) => frame({ ...ipv4Chunks(), [name]: chunk });
  const good = frame(ipv4Chunks());

  const cases: [string, () => Buffer, string][] = [
    ['total length beyond the datagram', () => good.subarray(0, good.length - 1), 'bad_total_length'],
    ['total length 65535 on a small datagram', () => frame(ipv4Chunks(), { length: 0xffff }), 'bad_total_length'],
    ['total length 5', () => frame(ipv4Chunks(), { length: 5 }), 'bad_total_length'],
    ['total length 0', () => frame(ipv4Chunks(), { length: 0 }), 'bad_total_length'],
    ['header only (total 6): nothing in it', () => hep3Frame([]), 'missing_family'],
    ['a chunk of length 0', () => replace('proto', hep3Chunk(2, u8(17), 0, 0)), 'chunk_too_short'],
    ['a chunk of length 1', () => replace('proto', hep3Chunk(2, u8(17), 0, 1)), 'chunk_too_short'],
    ['a chunk of length 5', () => replace('proto', hep3Chunk(2, u8(17), 0, 5)), 'chunk_too_short'],
    ['a vendor chunk of length 3', () => frame({ v: hep3Chunk(7, [], 9, 3), ...ipv4Chunks() }), 'chunk_too_short'],
    ['a chunk running past the end', () => replace('payload', hep3Chunk(15, SIP_INVITE, 0, SIP_INVITE.length + 7)), 'chunk_overflow'],
    ['a chunk length of 65535', () => replace('payload', hep3Chunk(15, SIP_INVITE, 0, 0xffff)), 'chunk_overflow'],
    ['3 bytes after the last chunk', () => hep3Frame([...Object.values(ipv4Chunks()), Buffer.from([0, 0, 1])]), 'chunk_overflow'],
    ['total length cutting a chunk header', () => frame(ipv4Chunks(), { length: 6 + 7 + 3 }), 'chunk_overflow'],
    ['missing family', () => without('family'), 'missing_family'],
    ['family 0', () => replace('family', hep3Chunk(1, u8(0))), 'bad_family'],
    ['family 23', () => replace('family', hep3Chunk(1, u8(23))), 'bad_family'],
    ['missing source address', () => without('src'), 'missing_address'],
    ['missing destination address', () => without('dst'), 'missing_address'],
    ['family 10 with only IPv4 addresses', () => replace('family', hep3Chunk(1, u8(10))), 'missing_address'],
    [
      'family 2 with only IPv6 addresses',
      () =>
        frame({
          family: hep3Chunk(1, u8(2)),
          a: hep3Chunk(5, V6_SRC),
          b: hep3Chunk(6, V6_DST),
          ...(({ family, src, dst, ...rest }) => rest)(ipv4Chunks()),
        }),
      'missing_address',
    ],
    ['missing source port', () => without('srcPort'), 'missing_port'],
    ['missing destination port', () => without('dstPort'), 'missing_port'],
    ['missing payload', () => without('payload'), 'missing_payload'],
    ['empty payload chunk', () => replace('payload', hep3Chunk(15, [])), 'missing_payload'],
    ['keep-alive only (no payload)', () => frame({ ...ipv4Chunks(), payload: hep3Chunk(13, u16(10)) }), 'missing_payload'],
    ['family chunk of length 8', () => replace('family', hep3Chunk(1, [2, 0])), 'bad_chunk_size'],
    ['IP protocol chunk of length 6', () => replace('proto', hep3Chunk(2, [])), 'bad_chunk_size'],
    ['port chunk of length 7', () => replace('srcPort', hep3Chunk(7, [0x13])), 'bad_chunk_size'],
    ['port chunk of length 10', () => replace('dstPort', hep3Chunk(8, u32(5060))), 'bad_chunk_size'],
    ['IPv4 address chunk of length 9', () => replace('src', hep3Chunk(3, [10, 0, 0])), 'bad_chunk_size'],
    ['IPv4 address chunk of length 22', () => replace('dst', hep3Chunk(4, V6_DST)), 'bad_chunk_size'],
    ['IPv6 address chunk of length 21', () => frame({ ...ipv4Chunks(), x: hep3Chunk(5, V6_SRC.slice(0, 15)) }), 'bad_chunk_size'],
    ['seconds chunk of length 8', () => frame({ t: hep3Chunk(9, u16(1)), ...ipv4Chunks() }), 'bad_chunk_size'],
    ['capture id chunk of length 8 (u16)', () => frame({ t: hep3Chunk(12, u16(1)), ...ipv4Chunks() }), 'bad_chunk_size'],
    ['VLAN chunk of length 7', () => frame({ t: hep3Chunk(18, u8(1)), ...ipv4Chunks() }), 'bad_chunk_size'],
    [
      'corrupted zlib payload',
      () => {
        const z = deflateSync(SIP_INVITE);
        z[z.length - 3] ^= 0xff; // breaks the Adler-32 trailer
        z[5] ^= 0x55;
        return replace('payload', hep3Chunk(16, z));
      },
      'decompress',
    ],
    ['truncated gzip payload', () => replace('payload', hep3Chunk(16, gzipSync(SIP_INVITE).subarray(0, 30))), 'decompress'],
    ['compressed payload that is plain text', () => replace('payload', hep3Chunk(16, SIP_INVITE)), 'decompress'],
    ['compressed payload of 1 byte', () => replace('payload', hep3Chunk(16, [0x78])), 'decompress'],
    [
      'compressed payload inflating to 2 MiB (a bomb)',
      () => replace('payload', hep3Chunk(16, deflateSync(Buffer.alloc(2 << 20)))),
      'payload_too_large',
    ],
    [
      'gzip payload inflating one byte beyond 64 KiB',
      () => replace('payload', hep3Chunk(16, gzipSync(Buffer.alloc(65_537)))),
      'payload_too_large',
    ],
    ['compressed payload inflating to nothing', () => replace('payload', hep3Chunk(16, deflateSync(Buffer.alloc(0)))), 'missing_payload'],
  ];
  for (const [name, build, reason] of cases) {
    it(`${name} -> ${reason}`, () => expectError(build(), reason));
  }
});

describe('decodeHep: inflating only what the caller needs', () => {
  const bomb = deflateSync(Buffer.alloc(2 << 20));
  const withType = (type: number, payload: Buffer) => {
    const c = ipv4Chunks();
    delete c.payload;
    return hep3Frame([...Object.values(c), hep3Chunk(ChunkType.PAYLOAD_TYPE, u8(type)), hep3Chunk(16, payload)]);
  };
  const onlySip = { inflate: (t: number) => t === 1 };

  it('leaves a payload type the caller does not want compressed: no inflate, the chunk data as payload', () => {
    const p = ok(decodeHep(withType(2, bomb), onlySip));
    expect(p).toMatchObject({ payloadType: 2, compressed: true });
    expect(p.payload.equals(bomb)).toBe(true);
  });

  it('inflates the types it wants, within the bound', () => {
    const z = deflateSync(SIP_INVITE);
    expect(ok(decodeHep(withType(1, z), onlySip)).payload.equals(SIP_INVITE)).toBe(true);
    expectErrorWith(withType(1, bomb), onlySip, 'payload_too_large');
    // Without options every type is inflated, as before.
    expectErrorWith(withType(2, bomb), undefined, 'payload_too_large');
  });

  function expectErrorWith(buf: Buffer, options: Parameters<typeof decodeHep>[1], reason: string): void {
    const r = decodeHep(buf, options);
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
  }
});
