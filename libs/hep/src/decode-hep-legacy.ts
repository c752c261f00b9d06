import { AF_INET, AF_INET6, hepError, type HepResult } from './hep-packet';
import { formatIpv4, formatIpv6 } from './ip-format';

/** HEP v1/v2 header length per family as real senders write it: 8 fixed bytes + both addresses. */
export const HEP1_HEADER_LENGTH_V4 = 16;
export const HEP1_HEADER_LENGTH_V6 = 40;
/** v2's time header (seconds u32, microseconds u32, capture id u16, 2 bytes of struct padding). */
export const HEP2_TIME_HEADER_LENGTH = 12;

/**
 * Decodes HEP v1 or v2 (byte 0 is 1 or 2; the caller has checked it). There is no length field: the
 * payload is the rest of the datagram after the family's fixed header (and v2's time header).
 *
 * The header length byte, as the real senders write it: Kamailio's and OpenSIPS's siptrace put
 * sizeof(hep_hdr) + the address header in it, 16 (IPv4) or 40 (IPv6), for v1 AND v2; v2's 12-byte time
 * header follows but is not counted. Kamailio's sipcapture never reads the byte (its offsets come from the
 * family and the version), so it also takes v2 packets from senders that count the time header (28/52,
 * as this project's encoder wrote it before) and from sngrep: its v2 sender (capture_eep_send_v2, 1.6.0)
 * assigns htons(total datagram length) to the u8, i.e. the byte holds the HIGH byte of the datagram's
 * length (0 below 256 bytes, 1 up to 511, ...; seen on the wire in test/hep-interop.test.ts). We accept
 * exactly those: 16/40 (v1, v2), 28/52 (v2) and, for v2, the datagram length's high byte; anything else
 * is bad_header_length (a length that fits neither family is not HEP v1/v2). Either way the time header
 * is read right after the addresses.
 * v2's time header is little-endian (the sender's byte order, which is x86 in practice); its 2 padding
 * bytes are not checked (siptrace copies an uninitialised struct, so they can hold anything).
 */
export function decodeHepLegacy(buf: Buffer): HepResult {
  const version = buf[0] === 2 ? 2 : 1;
  if (buf.length < 4) return hepError('truncated_header', `HEP v${version} header needs at least 4 bytes, got ${buf.length}`);
  const family = buf[2];
  let addrSize: number;
  if (family === AF_INET) addrSize = 4;
  else if (family === AF_INET6) addrSize = 16;
  else return hepError('bad_family', `address family ${family} is neither 2 (IPv4) nor 10 (IPv6)`);

  const baseLength = family === AF_INET ? HEP1_HEADER_LENGTH_V4 : HEP1_HEADER_LENGTH_V6;
  const timeLength = version === 2 ? HEP2_TIME_HEADER_LENGTH : 0;
  const lengthByte = buf[1];
  const sngrepByte = (buf.length >> 8) & 0xff;
  if (lengthByte !== baseLength && (version === 1 || (lengthByte !== baseLength + timeLength && lengthByte !== sngrepByte))) {
    const expected = version === 2 ? `${baseLength}, ${baseLength + timeLength} or ${sngrepByte} (sngrep's)` : `${baseLength}`;
    return hepError('bad_header_length', `HEP v${version} family ${family} header length is ${lengthByte}, expected ${expected}`);
  }
  const headerLength = baseLength + timeLength;
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
