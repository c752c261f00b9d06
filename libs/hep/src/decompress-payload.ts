import { gunzipSync, inflateSync } from 'node:zlib';

/**
 * Bound on an inflated payload. A HEP packet is at most 64 KiB, and so is the SIP message it captured (UDP),
 * so a payload that inflates beyond 64 KiB is a zip bomb or garbage: inflating stops there and it is dropped.
 */
export const MAX_DECOMPRESSED_SIZE = 64 * 1024;

/** Why a compressed payload was refused: `payload_too_large` beyond the bound, `decompress` otherwise. */
export interface InflateFailure {
  reason: 'decompress' | 'payload_too_large';
  message: string;
}

/**
 * Inflates a HEP3 chunk-16 payload, zlib or gzip as told by its magic bytes, producing at most
 * `maxOutputLength` bytes (zlib stops there: a bomb costs the bound, not its full size).
 * Returns an {@link InflateFailure} on failure: never throws.
 */
export function decompressPayload(data: Uint8Array, maxOutputLength = MAX_DECOMPRESSED_SIZE): Buffer | InflateFailure {
  if (data.length < 2) return { reason: 'decompress', message: 'compressed payload too short' };
  const b0 = data[0];
  const b1 = data[1];
  const isGzip = b0 === 0x1f && b1 === 0x8b;
  // zlib: CM = 8 (deflate), CINFO <= 7, and the 16-bit header is a multiple of 31 (RFC 1950).
  const isZlib = (b0 & 0x0f) === 8 && b0 >>> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0;
  if (!isGzip && !isZlib) return { reason: 'decompress', message: 'compressed payload is neither zlib nor gzip' };
  try {
    return isGzip ? gunzipSync(data, { maxOutputLength }) : inflateSync(data, { maxOutputLength });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return { reason: 'payload_too_large', message: `compressed payload inflates beyond ${maxOutputLength} bytes` };
    }
    return { reason: 'decompress', message: 'cannot inflate payload: ' + (err instanceof Error ? err.message : String(err)) };
  }
}
