import { copyAddress, parseAddressPair } from './encode-address';
import { checkUint, type HepEncodeInput } from './hep-encode-input';
import { AF_INET } from './hep-packet';

/**
 * HEP v1: 8 fixed bytes, both addresses, then the payload. Fields HEP v1 cannot carry (time, capture id,
 * HEP3-only chunks, compression) are ignored.
 */
export function encodeHep1(p: HepEncodeInput): Buffer {
  return encodeLegacy(1, p);
}

/**
 * HEP v2: HEP v1 plus a little-endian time header (seconds u32, microseconds u32, capture id u16, 2 padding).
 * The header length byte is 16/40 as in v1 (the time header is not counted), as Kamailio's and OpenSIPS's
 * siptrace write it and every HEP v2 receiver reads it.
 */
export function encodeHep2(p: HepEncodeInput): Buffer {
  return encodeLegacy(2, p);
}

const srcAddr = new Uint8Array(16);
const dstAddr = new Uint8Array(16);

function encodeLegacy(version: 1 | 2, p: HepEncodeInput): Buffer {
  const family = parseAddressPair(p.srcIp, p.dstIp, p.family, srcAddr, dstAddr);
  const addrSize = family === AF_INET ? 4 : 16;
  const headerLength = 8 + 2 * addrSize + (version === 2 ? 12 : 0);
  const out = Buffer.allocUnsafe(headerLength + p.payload.length);
  out[0] = version;
  out[1] = 8 + 2 * addrSize;
  out[2] = family;
  out[3] = checkUint('ipProto', p.ipProto ?? 17, 0xff);
  out.writeUInt16BE(checkUint('srcPort', p.srcPort, 0xffff), 4);
  out.writeUInt16BE(checkUint('dstPort', p.dstPort, 0xffff), 6);
  copyAddress(srcAddr, addrSize, out, 8);
  copyAddress(dstAddr, addrSize, out, 8 + addrSize);
  if (version === 2) {
    const t = 8 + 2 * addrSize;
    out.writeUInt32LE(checkUint('tsSec', p.tsSec ?? 0, 0xffffffff), t);
    out.writeUInt32LE(checkUint('tsUsec', p.tsUsec ?? 0, 0xffffffff), t + 4);
    out.writeUInt16LE(checkUint('captureId', p.captureId ?? 0, 0xffff), t + 8);
    out.writeUInt16LE(0, t + 10);
  }
  out.set(p.payload, headerLength);
  return out;
}
