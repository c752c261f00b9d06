import { CHUNK_HEADER_SIZE, HEP3_HEADER_SIZE } from './hep3-chunk-types';

/**
 * Low-level HEP3 builders for tools and tests that need chunks encodeHep3 does not write
 * (vendor chunks, unknown types) or deliberately broken packets. Not for the hot path.
 */

/** One chunk: vendor u16, type u16, length u16 (data length + 6, or `length` when given), data. */
export function hep3Chunk(type: number, data: Uint8Array | readonly number[], vendor = 0, length?: number): Buffer {
  const body = data instanceof Uint8Array ? data : Uint8Array.from(data);
  const out = Buffer.alloc(CHUNK_HEADER_SIZE + body.length);
  out.writeUInt16BE(vendor, 0);
  out.writeUInt16BE(type, 2);
  out.writeUInt16BE(length ?? CHUNK_HEADER_SIZE + body.length, 4);
  out.set(body, CHUNK_HEADER_SIZE);
  return out;
}

/** A HEP3 packet of the given chunks. `length` overrides the total length field; `magic` defaults to HEP3. */
export function hep3Frame(chunks: readonly Uint8Array[], options: { magic?: 'HEP3' | 'EEP3'; length?: number } = {}): Buffer {
  const body = Buffer.concat(chunks);
  const out = Buffer.alloc(HEP3_HEADER_SIZE + body.length);
  out.write(options.magic ?? 'HEP3', 0, 'latin1');
  out.writeUInt16BE(options.length ?? Math.min(out.length, 0xffff), 4);
  body.copy(out, HEP3_HEADER_SIZE);
  return out;
}
