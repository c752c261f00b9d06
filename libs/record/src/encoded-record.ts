import { COLUMNS, STRING_COLUMNS, type CaptureRecord } from './capture-record';
import { decodeRecord, FIXED_INTS, LATIN1, locateColumns, SPAN_WORDS, type RecordDecodeResult } from './kafka-codec';

/**
 * A record read from its Kafka value (version 1 or 3) without decoding its strings. The db-writer's COPY
 * encoder copies the column bytes straight from the value (see `columns`): decoding ~30 strings per
 * record, only to encode them again, cost the writer more (mostly in GC) than anything else it did.
 * The record's properties still read as a CaptureRecord's: micro_ts and msg are fields, the integer
 * columns are read from the value, and the first string property read decodes the whole record once.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below
export class EncodedRecord {
  readonly micro_ts: bigint;
  readonly msg: Buffer;
  private full: CaptureRecord | undefined = undefined;

  /** `value` must have passed locateColumns (readRecord does that). */
  constructor(
    readonly value: Buffer,
    msgStart: number,
    msgLength: number,
  ) {
    this.micro_ts = value.readBigInt64BE(1);
    this.msg = value.subarray(msgStart, msgStart + msgLength);
  }

  /** The record with every column decoded (once). */
  decoded(): CaptureRecord {
    if (this.full) return this.full;
    const d = decodeRecord(this.value);
    if (!d.ok) throw new Error(`EncodedRecord holds a value that no longer decodes: ${d.message}`);
    return (this.full = d.record);
  }

  /**
   * Fills `out` (COLUMN_WORDS long) with two words per column in COLUMNS order: for a string column its
   * bytes' start in `value` and their length, ORed with LATIN1 when each byte is one character (bytes
   * of msg that version 3 refers to; otherwise they are UTF-8); for an integer column its value and 0.
   * micro_ts and msg are left as they were.
   */
  columns(out: Int32Array): void {
    locateColumns(this.value, spans);
    const v = this.value;
    for (let c = 0; c < COLUMNS.length; c++) {
      const s = STRING_INDEX[c];
      if (s >= 0) {
        out[2 * c] = spans[2 * s];
        out[2 * c + 1] = spans[2 * s + 1];
      } else if (INT_AT[c] > 0) {
        const at = INT_AT[c];
        out[2 * c] = INT_BYTES[c] === 2 ? v.readUInt16BE(at) : INT_BYTES[c] === 4 ? v.readInt32BE(at) : v[at];
        out[2 * c + 1] = 0;
      }
    }
  }
}

// The CaptureRecord properties the class does not hold as fields: integers from the fixed part of the
// value (FIXED_INTS), strings from the decoded record.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- every property it names is a getter defined on the prototype below
export interface EncodedRecord extends Omit<CaptureRecord, 'micro_ts' | 'msg'> {}

export const COLUMN_WORDS = 2 * COLUMNS.length;
const STRING_INDEX = Int8Array.from(COLUMNS, (c) => (STRING_COLUMNS as readonly string[]).indexOf(c));
const fixedInt = (c: string) => (FIXED_INTS as Record<string, readonly [number, number]>)[c];
const INT_AT = Uint8Array.from(COLUMNS, (c) => fixedInt(c)?.[0] ?? 0);
const INT_BYTES = Uint8Array.from(COLUMNS, (c) => fixedInt(c)?.[1] ?? 0);
const spans = new Int32Array(SPAN_WORDS);

for (const [column, [at, bytes]] of Object.entries(FIXED_INTS)) {
  Object.defineProperty(EncodedRecord.prototype, column, {
    get(this: EncodedRecord) {
      return bytes === 2 ? this.value.readUInt16BE(at) : bytes === 4 ? this.value.readInt32BE(at) : this.value[at];
    },
  });
}
for (const column of STRING_COLUMNS) {
  Object.defineProperty(EncodedRecord.prototype, column, {
    get(this: EncodedRecord) {
      return this.decoded()[column];
    },
  });
}

export type RecordReadResult = { ok: true; record: EncodedRecord } | Extract<RecordDecodeResult, { ok: false }>;

/** Checks a Kafka value (version 1 or 3) and reads it as an EncodedRecord; `msg` is a subarray of it. */
export function readRecord(value: Buffer): RecordReadResult {
  const bad = locateColumns(value, spans);
  if (bad) return bad;
  const msgAt = 2 * STRING_COLUMNS.length;
  return { ok: true, record: new EncodedRecord(value, spans[msgAt], spans[msgAt + 1]) };
}

export { LATIN1 };
