import { LATIN1 } from '@sipcap/record';

/**
 * A growable buffer that SQL data is written into directly: one buffer per batch, values escaped and
 * UTF-8-encoded in one pass, no per-row or per-value strings (which cost more in GC than in copying).
 */

/**
 * How ASCII characters are escaped, by code: 0 written as is, -1 written as U+FFFD (PostgreSQL text cannot
 * hold NUL), any other value v written as a backslash followed by the character v.
 */
export type EscapeTable = Int8Array;

export function escapeTable(entries: Record<number, string | -1>): EscapeTable {
  const t = new Int8Array(128);
  for (const [code, esc] of Object.entries(entries)) t[Number(code)] = esc === -1 ? -1 : esc.charCodeAt(0);
  return t;
}

const BACKSLASH = 0x5c;
const HEX = Buffer.from('0123456789abcdef');

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  get length(): number {
    return this.pos;
  }

  /** The size of the buffer written into (it grows as needed). */
  get capacity(): number {
    return this.buf.length;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** ASCII characters as they are (dates, digits, SQL keywords). */
  ascii(s: string): void {
    this.ensure(s.length);
    const out = this.buf;
    let o = this.pos;
    for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
    this.pos = o;
  }

  /** A safe integer in decimal. */
  int(n: number): void {
    this.ensure(21);
    const out = this.buf;
    if (n < 0) {
      out[this.pos++] = 0x2d; // -
      n = -n;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let o = this.pos + digits;
    this.pos = o;
    do {
      out[--o] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** A string escaped by `table` and encoded as UTF-8 (lone surrogates become U+FFFD, as Buffer.from does). */
  escapedText(s: string, table: EscapeTable): void {
    const n = s.length;
    this.ensure(n * 3); // the most a UTF-16 code unit takes: 3 bytes (a surrogate pair: 4 for 2)
    const out = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const e = table[c];
        if (e === 0) {
          out[o++] = c;
        } else if (e > 0) {
          out[o++] = BACKSLASH;
          out[o++] = e;
        } else {
          out[o++] = 0xef;
          out[o++] = 0xbf;
          out[o++] = 0xbd;
        }
      } else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6);
        out[o++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        out[o++] = 0xe0 | (c >> 12);
        out[o++] = 0x80 | ((c >> 6) & 0x3f);
        out[o++] = 0x80 | (c & 0x3f);
      } else {
        const lo = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          out[o++] = 0xf0 | (cp >> 18);
          out[o++] = 0x80 | ((cp >> 12) & 0x3f);
          out[o++] = 0x80 | ((cp >> 6) & 0x3f);
          out[o++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          out[o++] = 0xef;
          out[o++] = 0xbf;
          out[o++] = 0xbd;
        }
      }
    }
    this.pos = o;
  }

  /** Bytes escaped by `table` (for bytes known to be valid UTF-8: multi-byte sequences pass untouched). */
  escapedBytes(b: Buffer, table: EscapeTable): void {
    this.escapedRange(b, 0, b.length, table, 'utf8');
  }

  /**
   * `b[start, start + n)` escaped by `table`, its bytes above 0x7f taken as `nonAscii` says: 'utf8' passes
   * them untouched (valid UTF-8), 'latin1' writes each as the UTF-8 of that character, 'stop' writes
   * nothing at all and returns false (for the caller to write the decoded string instead).
   */
  escapedRange(b: Buffer, start: number, n: number, table: EscapeTable, nonAscii: 'utf8' | 'latin1' | 'stop'): boolean {
    this.ensure(n * 3);
    const out = this.buf;
    let o = this.pos;
    for (let i = start, end = start + n; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) {
        if (nonAscii === 'utf8') {
          out[o++] = c;
        } else if (nonAscii === 'latin1') {
          out[o++] = 0xc0 | (c >> 6);
          out[o++] = 0x80 | (c & 0x3f);
        } else {
          return false;
        }
        continue;
      }
      const e = table[c];
      if (e === 0) {
        out[o++] = c;
      } else if (e > 0) {
        out[o++] = BACKSLASH;
        out[o++] = e;
      } else {
        out[o++] = 0xef;
        out[o++] = 0xbf;
        out[o++] = 0xbd;
      }
    }
    this.pos = o;
    return true;
  }

  /**
   * A text column copied from a record's Kafka value (EncodedRecord.columns): `span` is its length, ORed
   * with LATIN1 when each byte is one character (a reference into msg); otherwise the bytes are the
   * agent's UTF-8, not trusted to be valid, and decoded (as the decoder would) when they are not plain.
   */
  encodedText(value: Buffer, start: number, span: number, table: EscapeTable): void {
    if (span & LATIN1) this.escapedRange(value, start, span ^ LATIN1, table, 'latin1');
    else if (!this.escapedRange(value, start, span, table, 'stop')) this.escapedText(value.toString('utf8', start, start + span), table);
  }

  /** Bytes as lowercase hex digits. */
  hex(b: Buffer): void {
    this.ensure(b.length * 2);
    const out = this.buf;
    let o = this.pos;
    for (let i = 0; i < b.length; i++) {
      out[o++] = HEX[b[i] >> 4];
      out[o++] = HEX[b[i] & 15];
    }
    this.pos = o;
  }

  /** Big-endian integers, for binary formats. */
  int16(n: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(n, this.pos);
  }

  int32(n: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(n, this.pos);
  }

  int64(n: bigint): void {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(n, this.pos);
  }

  /** Bytes as they are. */
  bytes(b: Buffer): void {
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  /** Leaves room for a 32-bit length written later with `patchLength`; returns where it is. */
  reserveLength(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  /** Writes the number of bytes written since `reserveLength` returned `at` into its room. */
  patchLength(at: number): void {
    this.buf.writeInt32BE(this.pos - at - 4, at);
  }

  /** Little-endian integers, for MySQL's binary protocol. */
  le16(n: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16LE(n, this.pos);
  }

  le32(n: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32LE(n, this.pos);
  }

  le64(n: bigint): void {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64LE(n, this.pos);
  }

  /** MySQL's length-encoded integer (1, 3, 4 or 9 bytes). */
  lenenc(n: number): void {
    this.ensure(9);
    const out = this.buf;
    if (n < 0xfb) {
      out[this.pos++] = n;
    } else if (n < 0x10000) {
      out[this.pos++] = 0xfc;
      this.pos = out.writeUInt16LE(n, this.pos);
    } else if (n < 0x1000000) {
      out[this.pos++] = 0xfd;
      this.pos = out.writeUIntLE(n, this.pos, 3);
    } else {
      out[this.pos++] = 0xfe;
      this.pos = out.writeBigUInt64LE(BigInt(n), this.pos);
    }
  }

  /** Leaves one byte for a length-encoded length written later with `patchLenenc`; returns where it is. */
  reserveLenenc(): number {
    this.ensure(1);
    return this.pos++;
  }

  /**
   * Writes the number of bytes written since `reserveLenenc` returned `at` as a length-encoded integer in
   * its room: in place when it is under 251 (nearly every column), else the bytes move up to make room.
   */
  patchLenenc(at: number): void {
    const n = this.pos - at - 1;
    if (n < 0xfb) {
      this.buf[at] = n;
      return;
    }
    const extra = n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 8;
    this.ensure(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    this.pos = at;
    this.lenenc(n);
    this.pos += n;
  }

  /** Room for `bytes` more written without growing (sized once from an estimate: growing copies). */
  reserve(bytes: number): void {
    this.ensure(bytes);
  }

  /** Starts over in the same buffer. */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
