import { gunzipSync, inflateSync } from 'node:zlib';

/** Bound on an inflated payload: a HEP packet is at most 64 KiB, so anything near 1 MiB is a zip bomb. */
export const MAX_DECOMPRESSED_SIZE = 1 << 20;

/**
 * Inflates a HEP3 chunk-16 payload, zlib or gzip as told by its magic bytes.
 * Returns a string (the error message) on failure: never throws.
 */
export function decompressPayload(data: Uint8Array, maxOutputLength = MAX_DECOMPRESSED_SIZE): Buffer | string {
  if (data.length < 2) return 'compressed payload too short';
  const b0 = data[0];
  const b1 = data[1];
  const isGzip = b0 === 0x1f && b1 === 0x8b;
  // zlib: CM = 8 (deflate), CINFO <= 7, and the 16-bit header is a multiple of 31 (RFC 1950).
  const isZlib = (b0 & 0x0f) === 8 && b0 >>> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0;
  if (!isGzip && !isZlib) return 'compressed payload is neither zlib nor gzip';
  try {
    return isGzip ? gunzipSync(data, { maxOutputLength }) : inflateSync(data, { maxOutputLength });
  } catch (err) {
    return 'cannot inflate payload: ' + (err instanceof Error ? err.message : String(err));
  }
}
