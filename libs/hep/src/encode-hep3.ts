import { deflateSync } from 'node:zlib';
import { copyAddress, parseAddressPair } from './encode-address';
import { CHUNK_HEADER_SIZE, ChunkType, HEP3_HEADER_SIZE, HEP3_MAX_SIZE } from './hep3-chunk-types';
import { checkUint, type HepEncodeInput } from './hep-encode-input';
import { AF_INET } from './hep-packet';

// Scratch space for the parsed addresses: encoding is synchronous, so one pair serves every call.
const srcAddr = new Uint8Array(16);
const dstAddr = new Uint8Array(16);

function put16(out: Buffer, off: number, v: number): void {
  out[off] = v >>> 8;
  out[off + 1] = v & 0xff;
}

function put32(out: Buffer, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = (v >>> 16) & 0xff;
  out[off + 2] = (v >>> 8) & 0xff;
  out[off + 3] = v & 0xff;
}

/** Writes a vendor-0 chunk header and returns the offset of its data. */
function chunk(out: Buffer, off: number, type: number, length: number): number {
  out[off] = 0;
  out[off + 1] = 0;
  put16(out, off + 2, type);
  put16(out, off + 4, length);
  return off + CHUNK_HEADER_SIZE;
}

/**
 * Encodes a HEP3 packet into one buffer allocated at its exact size.
 * Throws (TypeError / RangeError) on input that cannot be encoded: bad addresses, out-of-range numbers,
 * or a packet longer than 65535 bytes.
 */
export function encodeHep3(p: HepEncodeInput): Buffer {
  const family = parseAddressPair(p.srcIp, p.dstIp, p.family, srcAddr, dstAddr);
  const v4 = family === AF_INET;
  const addrSize = v4 ? 4 : 16;
  const ipProto = checkUint('ipProto', p.ipProto ?? 17, 0xff);
  const srcPort = checkUint('srcPort', p.srcPort, 0xffff);
  const dstPort = checkUint('dstPort', p.dstPort, 0xffff);
  const payloadType = checkUint('payloadType', p.payloadType ?? 1, 0xff);
  const hasTime = p.tsSec !== undefined || p.tsUsec !== undefined;
  const tsSec = checkUint('tsSec', p.tsSec ?? 0, 0xffffffff);
  const tsUsec = checkUint('tsUsec', p.tsUsec ?? 0, 0xffffffff);
  const captureId = p.captureId;
  const keepAlive = p.keepAlive;
  const vlan = p.vlan;
  if (captureId !== undefined) checkUint('captureId', captureId, 0xffffffff);
  if (keepAlive !== undefined) checkUint('keepAlive', keepAlive, 0xffff);
  if (vlan !== undefined) checkUint('vlan', vlan, 0xffff);
  const payload = p.compress ? deflateSync(p.payload) : p.payload;

  const authLen = p.authKey === undefined ? -1 : Buffer.byteLength(p.authKey);
  const corrLen = p.correlationId === undefined ? -1 : Buffer.byteLength(p.correlationId);
  const nodeLen = p.nodeName === undefined ? -1 : Buffer.byteLength(p.nodeName);

  let total = HEP3_HEADER_SIZE + 7 + 7 + 2 * (CHUNK_HEADER_SIZE + addrSize) + 8 + 8 + 7 + CHUNK_HEADER_SIZE + payload.length;
  if (hasTime) total += 20;
  if (captureId !== undefined) total += 10;
  if (keepAlive !== undefined) total += 8;
  if (vlan !== undefined) total += 8;
  if (authLen >= 0) total += CHUNK_HEADER_SIZE + authLen;
  if (corrLen >= 0) total += CHUNK_HEADER_SIZE + corrLen;
  if (nodeLen >= 0) total += CHUNK_HEADER_SIZE + nodeLen;
  if (total > HEP3_MAX_SIZE) throw new RangeError(`HEP3 packet would be ${total} bytes, above the 65535 limit`);

  const out = Buffer.allocUnsafe(total);
  put32(out, 0, 0x48455033); // "HEP3"
  put16(out, 4, total);
  let off = HEP3_HEADER_SIZE;
  out[chunk(out, off, ChunkType.FAMILY, 7)] = family;
  off += 7;
  out[chunk(out, off, ChunkType.IP_PROTO, 7)] = ipProto;
  off += 7;
  copyAddress(srcAddr, addrSize, out, chunk(out, off, v4 ? ChunkType.IPV4_SRC : ChunkType.IPV6_SRC, CHUNK_HEADER_SIZE + addrSize));
  off += CHUNK_HEADER_SIZE + addrSize;
  copyAddress(dstAddr, addrSize, out, chunk(out, off, v4 ? ChunkType.IPV4_DST : ChunkType.IPV6_DST, CHUNK_HEADER_SIZE + addrSize));
  off += CHUNK_HEADER_SIZE + addrSize;
  put16(out, chunk(out, off, ChunkType.SRC_PORT, 8), srcPort);
  off += 8;
  put16(out, chunk(out, off, ChunkType.DST_PORT, 8), dstPort);
  off += 8;
  if (hasTime) {
    put32(out, chunk(out, off, ChunkType.TIME_SEC, 10), tsSec);
    off += 10;
    put32(out, chunk(out, off, ChunkType.TIME_USEC, 10), tsUsec);
    off += 10;
  }
  out[chunk(out, off, ChunkType.PAYLOAD_TYPE, 7)] = payloadType;
  off += 7;
  if (captureId !== undefined) {
    put32(out, chunk(out, off, ChunkType.CAPTURE_ID, 10), captureId);
    off += 10;
  }
  if (keepAlive !== undefined) {
    put16(out, chunk(out, off, ChunkType.KEEP_ALIVE, 8), keepAlive);
    off += 8;
  }
  if (authLen >= 0) {
    out.write(p.authKey!, chunk(out, off, ChunkType.AUTH_KEY, CHUNK_HEADER_SIZE + authLen), 'utf8');
    off += CHUNK_HEADER_SIZE + authLen;
  }
  if (corrLen >= 0) {
    out.write(p.correlationId!, chunk(out, off, ChunkType.CORRELATION_ID, CHUNK_HEADER_SIZE + corrLen), 'utf8');
    off += CHUNK_HEADER_SIZE + corrLen;
  }
  if (vlan !== undefined) {
    put16(out, chunk(out, off, ChunkType.VLAN, 8), vlan);
    off += 8;
  }
  if (nodeLen >= 0) {
    out.write(p.nodeName!, chunk(out, off, ChunkType.NODE_NAME, CHUNK_HEADER_SIZE + nodeLen), 'utf8');
    off += CHUNK_HEADER_SIZE + nodeLen;
  }
  out.set(payload, chunk(out, off, p.compress ? ChunkType.COMPRESSED_PAYLOAD : ChunkType.PAYLOAD, CHUNK_HEADER_SIZE + payload.length));
  return out;
}
