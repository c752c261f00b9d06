/** Shared inputs of the hep tests (not exported from the library). */
import { ChunkType } from './hep3-chunk-types';
import { hep3Chunk } from './hep3-frame';

export const SIP_INVITE = Buffer.from(
  'INVITE sip:bob@example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n' +
    'Max-Forwards: 70\r\n' +
    'To: Bob <sip:bob@example.com>\r\n' +
    'From: Alice <sip:alice@example.org>;tag=1928301774\r\n' +
    'Call-ID: a84b4c76e66710@pc33.example.org\r\n' +
    'CSeq: 314159 INVITE\r\n' +
    'Contact: <sip:alice@10.0.0.1>\r\n' +
    'Content-Length: 0\r\n\r\n',
);

export const u8 = (v: number): Buffer => Buffer.from([v]);
export const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};

/** The chunks of a minimal valid IPv4 SIP packet, keyed by name so a test can drop or replace one. */
export function ipv4Chunks(payload: Buffer = SIP_INVITE): Record<string, Buffer> {
  return {
    family: hep3Chunk(ChunkType.FAMILY, u8(2)),
    proto: hep3Chunk(ChunkType.IP_PROTO, u8(17)),
    src: hep3Chunk(ChunkType.IPV4_SRC, [10, 0, 0, 1]),
    dst: hep3Chunk(ChunkType.IPV4_DST, [10, 0, 0, 2]),
    srcPort: hep3Chunk(ChunkType.SRC_PORT, u16(5060)),
    dstPort: hep3Chunk(ChunkType.DST_PORT, u16(5080)),
    payload: hep3Chunk(ChunkType.PAYLOAD, payload),
  };
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
