import { columnsInMsg, type ColumnsInMsg } from './build-record';
import { STRING_COLUMNS, hasStringColumnValues, stringColumnValues, type CaptureRecord } from './capture-record';
import { makeRecord } from './column-accessors.generated';

/**
 * Kafka value encoding of a CaptureRecord. Version 1:
 *
 *   u8  version (1)
 *   i64 micro_ts                      big-endian
 *   u16 source_port, destination_port, contact_port, originator_port
 *   i32 expires                       (-1 when absent)
 *   u8  proto, family, type
 *   then every string column in STRING_COLUMNS order: u16 byte length + UTF-8 bytes
 *   u32 msg length + msg bytes        (raw, exactly as captured)
 *
 * Version 3, for records made by buildRecord, whose columns are mostly pieces of msg: the same fixed
 * part, then msg, then the string columns, each either written out or referring to bytes of msg:
 *
 *   u8  version (3)
 *   the fixed part of version 1       (micro_ts .. type)
 *   u32 msg length + msg bytes
 *   then every string column in STRING_COLUMNS order, either
 *     u16 byte length (below 0x8000) + UTF-8 bytes          (as in version 1), or
 *     u16 0x8000 | byte length, u32 offset                  the ASCII bytes msg[offset, offset + length)
 *
 * Binary and positional: ~10x smaller and faster than JSON, and msg survives byte for byte. Version 3
 * spares the agent encoding ~30 strings that are already in msg. (Version 2 is the record batch of
 * kafka-batch-codec.ts.) A new layout gets a new version byte; decoders keep reading the old ones.
 */
export const RECORD_ENCODING_VERSION = 1;
/** The layout whose string columns may refer to bytes of msg. */
export const RECORD_MSG_REF_VERSION = 3;

export { STRING_COLUMNS };

const FIXED = 1 + 8 + 2 * 4 + 4 + 3;
/** Where each integer column sits in the fixed part (as writeFixed puts it), and its width in bytes. */
export const FIXED_INTS = {
  source_port: [9, 2],
  destination_port: [11, 2],
  contact_port: [13, 2],
  originator_port: [15, 2],
  expires: [17, 4],
  proto: [21, 1],
  family: [22, 1],
  type: [23, 1],
} as const satisfies Record<string, readonly [at: number, bytes: 1 | 2 | 4]>;
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const MAX_STRING = 0xffff;
/** In version 3 the top bit of a column's length tells a reference from written-out bytes. */
const REF_FLAG = 0x8000;
const MAX_INLINE_V3 = REF_FLAG - 1;

// Records are written straight into a shared slab and handed out as subarrays of it (no copy, no
// allocation per record); a new slab is taken when the current one is full. A slab lives as long as
// any record cut from it, which for queued Kafka messages is a few milliseconds.
const SLAB_SIZE = 1024 * 1024;
let slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
let slabUsed = 0;
// For micro_ts: DataView#setBigInt64 is compiled inline, Buffer#writeBigInt64BE splits the bigint in two.
let slabView = new DataView(slab.buffer, slab.byteOffset, slab.length);

export type RecordDecodeResult =
  { ok: true; record: CaptureRecord } | { ok: false; reason: 'unknown_version' | 'truncated' | 'bad_reference'; message: string };

/** Where a record of at most `bound` bytes starts in `slab` (a fresh slab when the current one is full). */
function reserve(bound: number): number {
  if (slabUsed + bound > slab.length) {
    slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, bound));
    slabView = new DataView(slab.buffer, slab.byteOffset, slab.length);
    slabUsed = 0;
  }
  return slabUsed;
}

/** Ends a record at `end`: the next one starts 8-aligned after it. */
function cut(start: number, end: number): Buffer {
  slabUsed = (end + 7) & ~7;
  return slab.subarray(start, end);
}

/**
 * Version byte and the fixed part into the slab at `o`. Plain byte stores: Buffer's write*BE methods
 * check their arguments at every call.
 */
function writeFixed(o: number, version: number, r: CaptureRecord): void {
  const b = slab;
  b[o] = version;
  const ts = r.micro_ts;
  // setBigInt64 would wrap silently; the column is a bigint, so a value outside it is an error.
  if (ts < MIN_INT64 || ts > MAX_INT64) throw new RangeError(`micro_ts ${ts} does not fit a bigint column`);
  slabView.setBigInt64(o + 1, ts);
  b[o + 9] = r.source_port >>> 8;
  b[o + 10] = r.source_port;
  b[o + 11] = r.destination_port >>> 8;
  b[o + 12] = r.destination_port;
  b[o + 13] = r.contact_port >>> 8;
  b[o + 14] = r.contact_port;
  b[o + 15] = r.originator_port >>> 8;
  b[o + 16] = r.originator_port;
  const e = r.expires | 0;
  b[o + 17] = e >>> 24;
  b[o + 18] = e >>> 16;
  b[o + 19] = e >>> 8;
  b[o + 20] = e;
  b[o + 21] = r.proto;
  b[o + 22] = r.family;
  b[o + 23] = r.type;
}

function writeU32(b: Buffer, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** Version 3 when buildRecord made `r` (its columns are located in msg), else version 1. */
export function encodeRecord(r: CaptureRecord): Buffer {
  const located = columnsInMsg(r);
  if (located === undefined || located.msg !== r.msg) return encodePlain(r, stringColumnValues(r));
  // Mostly no column was changed since buildRecord: then its own array of them serves.
  return encodeWithRefs(r, hasStringColumnValues(r, located.values) ? located.values : stringColumnValues(r), located);
}

function encodePlain(r: CaptureRecord, values: readonly string[]): Buffer {
  // Upper bound: UTF-8 needs at most 3 bytes per UTF-16 unit.
  let bound = FIXED + 4 + r.msg.length;
  for (let i = 0; i < values.length; i++) bound += 2 + values[i].length * 3;
  const start = reserve(bound);
  const b = slab;
  writeFixed(start, RECORD_ENCODING_VERSION, r);
  let o = start + FIXED;
  for (let i = 0; i < values.length; i++) o = writeString(b, o, values[i], MAX_STRING);
  writeU32(b, o, r.msg.length);
  o += 4;
  r.msg.copy(b, o);
  return cut(start, o + r.msg.length);
}

function encodeWithRefs(r: CaptureRecord, values: readonly string[], located: ColumnsInMsg): Buffer {
  const msg = r.msg;
  const m = msg.length;
  let bound = FIXED + 4 + m;
  for (let i = 0; i < values.length; i++) bound += 6 + values[i].length * 3;
  const start = reserve(bound);
  const b = slab;
  writeFixed(start, RECORD_MSG_REF_VERSION, r);
  let o = start + FIXED;
  writeU32(b, o, m);
  o += 4;
  msg.copy(b, o);
  o += m;
  const { offsets, values: locatedValues } = located;
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    const n = s.length;
    const at = offsets[i];
    // Only the value buildRecord located (a column changed since is written out), and only inside msg.
    if (n > 0 && at >= 0 && s === locatedValues[i] && at + n <= m && n < REF_FLAG) {
      b[o] = (REF_FLAG | n) >>> 8;
      b[o + 1] = n;
      writeU32(b, o + 2, at);
      o += 6;
    } else {
      o = writeString(b, o, s, MAX_INLINE_V3);
    }
  }
  return cut(start, o);
}

/** u16 byte length + UTF-8 bytes of `s` at `o`; returns the offset after them. */
function writeString(b: Buffer, o: number, s: string, max: number): number {
  let n = s.length === 0 ? 0 : writeUtf8(b, s, o + 2);
  if (n > max) n = max; // columns are far narrower; this only guards the length field
  b[o] = n >>> 8;
  b[o + 1] = n;
  return o + 2 + n;
}

/**
 * Column values are short and almost always ASCII: copying them byte by byte in JS beats a call into
 * Buffer.write (a native call per string); anything non-ASCII goes to Buffer.write from the start.
 */
function writeUtf8(b: Buffer, s: string, at: number): number {
  const len = s.length;
  if (len > 64) return b.write(s, at, 'utf8');
  for (let i = 0; i < len; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) return b.write(s, at, 'utf8');
    b[at + i] = ch;
  }
  return len;
}

// latin1Slice is Buffer's own (undocumented, long-standing) one-byte decoder: faster than toString('latin1').
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

type DecodeError = Extract<RecordDecodeResult, { ok: false }>;

/**
 * Where a value's string columns are, filled by locateColumns: two words per column in STRING_COLUMNS
 * order, its bytes' start in the value and their length (ORed with LATIN1 for bytes of msg that version 3
 * refers to, read one byte per character), then msg's start and length.
 */
export const SPAN_WORDS = 2 * STRING_COLUMNS.length + 2;
export const LATIN1 = 0x40000000;
const MSG_SPAN = 2 * STRING_COLUMNS.length;

const spans = new Int32Array(SPAN_WORDS);
/** The string columns of the record being decoded (copied into the record before the next decode). */
const decoded: string[] = new Array<string>(STRING_COLUMNS.length).fill('');

/** Decodes a Kafka value (version 1 or 3); `msg` is a subarray of `buf` (no copy). */
export function decodeRecord(buf: Buffer): RecordDecodeResult {
  const bad = locateColumns(buf, spans);
  if (bad) return bad;
  for (let i = 0; i < STRING_COLUMNS.length; i++) {
    const start = spans[2 * i];
    const n = spans[2 * i + 1];
    decoded[i] =
      n === 0 ? '' : n & LATIN1 ? (buf as Latin1Buffer).latin1Slice(start, start + (n ^ LATIN1)) : buf.toString('utf8', start, start + n);
  }
  const msgStart = spans[MSG_SPAN];
  return { ok: true, record: makeRecord(buf, decoded, buf.subarray(msgStart, msgStart + spans[MSG_SPAN + 1])) };
}

/**
 * Checks a Kafka value (version 1 or 3) and fills `out` (SPAN_WORDS long) with where its string columns
 * and msg are, without decoding any of them. Returns why the value is bad, or undefined.
 */
export function locateColumns(buf: Buffer, out: Int32Array): DecodeError | undefined {
  if (buf.length < 1) return { ok: false, reason: 'truncated', message: 'empty value' };
  const version = buf[0];
  if (version !== RECORD_ENCODING_VERSION && version !== RECORD_MSG_REF_VERSION) {
    return { ok: false, reason: 'unknown_version', message: `record encoding version ${version} is not known to this build` };
  }
  if (buf.length < FIXED + 4) return { ok: false, reason: 'truncated', message: 'value shorter than the fixed header' };
  return version === RECORD_ENCODING_VERSION ? locatePlain(buf, out) : locateWithRefs(buf, out);
}

/** Version 1: every string column written out, then msg. */
function locatePlain(buf: Buffer, out: Int32Array): DecodeError | undefined {
  let o = FIXED;
  for (let i = 0; i < STRING_COLUMNS.length; i++) {
    if (o + 2 > buf.length) return { ok: false, reason: 'truncated', message: `value ends before ${STRING_COLUMNS[i]}` };
    const n = (buf[o] << 8) | buf[o + 1];
    o += 2;
    if (o + n > buf.length) return { ok: false, reason: 'truncated', message: `value ends inside ${STRING_COLUMNS[i]}` };
    out[2 * i] = o;
    out[2 * i + 1] = n;
    o += n;
  }
  if (o + 4 > buf.length) return { ok: false, reason: 'truncated', message: 'value ends before msg' };
  const m = buf.readUInt32BE(o);
  o += 4;
  if (o + m !== buf.length) return { ok: false, reason: 'truncated', message: 'msg length does not match the value' };
  out[MSG_SPAN] = o;
  out[MSG_SPAN + 1] = m;
  return undefined;
}

/** Version 3: msg, then every string column written out or referring to bytes of msg. */
function locateWithRefs(buf: Buffer, out: Int32Array): DecodeError | undefined {
  const m = buf.readUInt32BE(FIXED);
  const msgStart = FIXED + 4;
  if (msgStart + m > buf.length) return { ok: false, reason: 'truncated', message: 'value ends inside msg' };
  let o = msgStart + m;
  for (let i = 0; i < STRING_COLUMNS.length; i++) {
    const c = STRING_COLUMNS[i];
    if (o + 2 > buf.length) return { ok: false, reason: 'truncated', message: `value ends before ${c}` };
    let n = (buf[o] << 8) | buf[o + 1];
    o += 2;
    if ((n & REF_FLAG) === 0) {
      if (o + n > buf.length) return { ok: false, reason: 'truncated', message: `value ends inside ${c}` };
      out[2 * i] = o;
      out[2 * i + 1] = n;
      o += n;
      continue;
    }
    if (o + 4 > buf.length) return { ok: false, reason: 'truncated', message: `value ends inside ${c}` };
    const at = buf.readUInt32BE(o);
    o += 4;
    n &= MAX_INLINE_V3;
    if (at + n > m) return { ok: false, reason: 'bad_reference', message: `${c} refers to bytes ${at}..${at + n} of a ${m}-byte msg` };
    out[2 * i] = msgStart + at;
    out[2 * i + 1] = n === 0 ? 0 : n | LATIN1;
  }
  if (o !== buf.length) return { ok: false, reason: 'truncated', message: `value has ${buf.length - o} bytes after its last column` };
  out[MSG_SPAN] = msgStart;
  out[MSG_SPAN + 1] = m;
  return undefined;
}
