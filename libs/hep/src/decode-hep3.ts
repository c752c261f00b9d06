import { decompressPayload } from './decompress-payload';
import { CHUNK_HEADER_SIZE, FIXED_CHUNK_LENGTH, HEP3_HEADER_SIZE } from './hep3-chunk-types';
import { AF_INET, AF_INET6, hepError, type HepDecodeOptions, type HepResult } from './hep-packet';
import { formatIpv4, formatIpv6 } from './ip-format';

/** Text of a string chunk. Trailing NULs are dropped: some agents send C strings with their terminator. */
function chunkString(buf: Buffer, start: number, end: number): string {
  while (end > start && buf[end - 1] === 0) end--;
  return buf.toString('utf8', start, end);
}

/**
 * Decodes a HEP3 packet (`HEP3` or `EEP3`; the caller has checked the 4 magic bytes).
 * Every offset is checked against the declared total length, which is checked against the buffer;
 * bytes after the declared length are ignored (padding, or the next frame of a stream).
 */
export function decodeHep3(buf: Buffer, options?: HepDecodeOptions): HepResult {
  if (buf.length < HEP3_HEADER_SIZE) return hepError('truncated_header', `HEP3 header needs 6 bytes, got ${buf.length}`);
  const total = (buf[4] << 8) | buf[5];
  if (total < HEP3_HEADER_SIZE) return hepError('bad_total_length', `HEP3 total length ${total} is below 6`);
  if (total > buf.length) {
    return hepError('bad_total_length', `HEP3 total length ${total} exceeds the ${buf.length} bytes received`);
  }

  // Chunk offsets (data start) of the addresses: formatted only once the family is known.
  let family = -1;
  let ipProto = 0;
  let v4Src = -1;
  let v4Dst = -1;
  let v6Src = -1;
  let v6Dst = -1;
  let srcPort = -1;
  let dstPort = -1;
  let tsSec = 0;
  let tsUsec = 0;
  let payloadType = 1;
  let captureId = 0;
  let keepAlive: number | undefined;
  let vlan: number | undefined;
  let authKey: string | undefined;
  let correlationId: string | undefined;
  let nodeName: string | undefined;
  let payloadStart = -1;
  let payloadEnd = -1;
  let compressed = false;

  let off = HEP3_HEADER_SIZE;
  while (off < total) {
    if (total - off < CHUNK_HEADER_SIZE) {
      return hepError('chunk_overflow', `${total - off} bytes left at offset ${off}, too few for a chunk header`);
    }
    const vendor = (buf[off] << 8) | buf[off + 1];
    const type = (buf[off + 2] << 8) | buf[off + 3];
    const len = (buf[off + 4] << 8) | buf[off + 5];
    if (len < CHUNK_HEADER_SIZE) return hepError('chunk_too_short', `chunk ${vendor}/${type} at offset ${off} has length ${len}`);
    const end = off + len;
    if (end > total) {
      return hepError('chunk_overflow', `chunk ${vendor}/${type} at offset ${off} (length ${len}) runs past the packet end ${total}`);
    }
    const d = off + CHUNK_HEADER_SIZE;
    off = end;
    if (vendor !== 0 || type >= FIXED_CHUNK_LENGTH.length || type === 0) continue; // vendor-specific or unknown: skip

    const fixed = FIXED_CHUNK_LENGTH[type];
    if (fixed !== 0 && len !== fixed) {
      return hepError('bad_chunk_size', `chunk type ${type} has length ${len}, expected ${fixed}`);
    }
    // Literal case labels (the ChunkType values) let V8 compile a jump table: twice as fast as property loads.
    switch (type) {
      case 1: // family
        family = buf[d];
        break;
      case 2: // ip proto
        ipProto = buf[d];
        break;
      case 3: // ipv4 src
        v4Src = d;
        break;
      case 4: // ipv4 dst
        v4Dst = d;
        break;
      case 5: // ipv6 src
        v6Src = d;
        break;
      case 6: // ipv6 dst
        v6Dst = d;
        break;
      case 7: // src port
        srcPort = (buf[d] << 8) | buf[d + 1];
        break;
      case 8: // dst port
        dstPort = (buf[d] << 8) | buf[d + 1];
        break;
      case 9: // time sec
        tsSec = buf[d] * 0x1000000 + ((buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3]);
        break;
      case 10: // time usec
        tsUsec = buf[d] * 0x1000000 + ((buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3]);
        break;
      case 11: // payload type
        payloadType = buf[d];
        break;
      case 12: // capture id
        captureId = buf[d] * 0x1000000 + ((buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3]);
        break;
      case 13: // keep alive
        keepAlive = (buf[d] << 8) | buf[d + 1];
        break;
      case 14: // auth key
        authKey = chunkString(buf, d, end);
        break;
      case 15: // payload
        payloadStart = d;
        payloadEnd = end;
        compressed = false;
        break;
      case 16: // compressed payload
        payloadStart = d;
        payloadEnd = end;
        compressed = true;
        break;
      case 17: // correlation id
        correlationId = chunkString(buf, d, end);
        break;
      case 18: // vlan
        vlan = (buf[d] << 8) | buf[d + 1];
        break;
      case 19: // node name
        nodeName = chunkString(buf, d, end);
        break;
    }
  }

  if (family < 0) return hepError('missing_family', 'no address family chunk (type 1)');
  let srcIp: string;
  let dstIp: string;
  if (family === AF_INET) {
    if (v4Src < 0 || v4Dst < 0) return hepError('missing_address', 'family 2 needs IPv4 source and destination chunks (types 3, 4)');
    srcIp = formatIpv4(buf, v4Src);
    dstIp = formatIpv4(buf, v4Dst);
  } else if (family === AF_INET6) {
    if (v6Src < 0 || v6Dst < 0) return hepError('missing_address', 'family 10 needs IPv6 source and destination chunks (types 5, 6)');
    srcIp = formatIpv6(buf, v6Src);
    dstIp = formatIpv6(buf, v6Dst);
  } else {
    return hepError('bad_family', `address family ${family} is neither 2 (IPv4) nor 10 (IPv6)`);
  }
  if (srcPort < 0 || dstPort < 0) return hepError('missing_port', 'needs source and destination port chunks (types 7, 8)');
  // An empty payload chunk carries nothing to store: treated like a missing one.
  if (payloadEnd <= payloadStart) return hepError('missing_payload', 'no payload chunk (type 15 or 16), or an empty one');

  let payload: Buffer;
  if (compressed && options?.inflate !== undefined && !options.inflate(payloadType)) {
    payload = buf.subarray(payloadStart, payloadEnd); // only counted by the caller: left compressed
  } else if (compressed) {
    const inflated = decompressPayload(buf.subarray(payloadStart, payloadEnd));
    if (!Buffer.isBuffer(inflated)) return hepError(inflated.reason, inflated.message);
    if (inflated.length === 0) return hepError('missing_payload', 'compressed payload inflates to nothing');
    payload = inflated;
  } else {
    payload = buf.subarray(payloadStart, payloadEnd);
  }

  return {
    ok: true,
    packet: {
      version: 3,
      family,
      ipProto,
      srcIp,
      dstIp,
      srcPort,
      dstPort,
      tsSec,
      tsUsec,
      payloadType,
      captureId,
      authKey,
      correlationId,
      vlan,
      nodeName,
      keepAlive,
      payload,
      compressed,
    },
  };
}
