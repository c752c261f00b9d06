import { AF_INET, AF_INET6, hepError, type HepResult } from './hep-packet';
import { formatIpv4, formatIpv6 } from './ip-format';

/** Header length of HEP v1/v2 per family: 8 fixed bytes + both addresses, and v2's 12-byte time header. */
export const HEP1_HEADER_LENGTH_V4 = 16;
export const HEP1_HEADER_LENGTH_V6 = 40;
export const HEP2_TIME_HEADER_LENGTH = 12;

/**
 * Decodes HEP v1 or v2 (byte 0 is 1 or 2; the caller has checked it). There is no length field:
 * the header length byte must match the family's fixed size and the payload is the rest of the datagram.
 * v2's time header is little-endian (the sender's byte order, which is x86 in practice).
 */
export function decodeHepLegacy(buf: Buffer): HepResult {
  const version = buf[0] === 2 ? 2 : 1;
  if (buf.length < 4) return hepError('truncated_header', `HEP v${version} header needs at least 4 bytes, got ${buf.length}`);
  const family = buf[2];
  let addrSize: number;
  if (family === AF_INET) addrSize = 4;
  else if (family === AF_INET6) addrSize = 16;
  else return hepError('bad_family', `address family ${family} is neither 2 (IPv4) nor 10 (IPv6)`);

  const headerLength =
    (family === AF_INET ? HEP1_HEADER_LENGTH_V4 : HEP1_HEADER_LENGTH_V6) + (version === 2 ? HEP2_TIME_HEADER_LENGTH : 0);
  if (buf[1] !== headerLength) {
    return hepError('bad_header_length', `HEP v${version} family ${family} header length is ${buf[1]}, expected ${headerLength}`);
  }
  if (buf.length < headerLength) {
    return hepError('truncated_header', `HEP v${version} header needs ${headerLength} bytes, got ${buf.length}`);
  }
  if (buf.length === headerLength) return hepError('missing_payload', `HEP v${version} packet has no payload`);

  const srcIp = addrSize === 4 ? formatIpv4(buf, 8) : formatIpv6(buf, 8);
  const dstIp = addrSize === 4 ? formatIpv4(buf, 8 + addrSize) : formatIpv6(buf, 8 + addrSize);
  let tsSec = 0;
  let tsUsec = 0;
  let captureId = 0;
  if (version === 2) {
    const t = 8 + 2 * addrSize;
    tsSec = (buf[t] | (buf[t + 1] << 8) | (buf[t + 2] << 16)) + buf[t + 3] * 0x1000000;
    tsUsec = (buf[t + 4] | (buf[t + 5] << 8) | (buf[t + 6] << 16)) + buf[t + 7] * 0x1000000;
    captureId = buf[t + 8] | (buf[t + 9] << 8);
  }

  return {
    ok: true,
    packet: {
      version,
      family,
      ipProto: buf[3],
      srcIp,
      dstIp,
      srcPort: (buf[4] << 8) | buf[5],
      dstPort: (buf[6] << 8) | buf[7],
      tsSec,
      tsUsec,
      payloadType: 1,
      captureId,
      authKey: undefined,
      correlationId: undefined,
      vlan: undefined,
      nodeName: undefined,
      keepAlive: undefined,
      payload: buf.subarray(headerLength),
      compressed: false,
    },
  };
}
