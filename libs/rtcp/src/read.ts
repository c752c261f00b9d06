/** Big-endian reads for offsets the caller has bounds-checked (no argument checks, no throw). */
export function u32(b: Buffer, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function u16(b: Buffer, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** RFC 3550's cumulative packets lost: a signed 24-bit integer. */
export function s24(b: Buffer, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8)) >> 8;
}
