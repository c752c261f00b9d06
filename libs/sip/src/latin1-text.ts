/**
 * The same latin1 text (one char per byte) twice: as a string, for native `indexOf` and for cheap
 * `substring`, and as bytes, for per-character reads (a Buffer read costs well under half a
 * `charCodeAt` in V8). `str.charCodeAt(i) === bytes[i]` for every i < str.length.
 */
export interface Latin1Text {
  readonly str: string;
  readonly bytes: Uint8Array;
}

/** A Latin1Text for a string (chars above 0xff are not expected: they would be cut to a byte). */
export function latin1Text(str: string): Latin1Text {
  return { str, bytes: Buffer.from(str, 'latin1') };
}

/** Where a returned value lies in its text, [start, end): filled in by the scanners that take one. */
export interface TextRange {
  start: number;
  end: number;
}
