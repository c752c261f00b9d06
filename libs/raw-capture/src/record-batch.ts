/**
 * Encoded capture records (Kafka key and value) packed back to back into one ArrayBuffer, for the trip
 * from a decoding worker to the main thread, which owns the Kafka producer.
 * Each record: u16 key length, u32 value length, key (UTF-8), value.
 */
const RECORD_HEADER_SIZE = 6;

export interface RecordBatch {
  buffer: ArrayBuffer;
  used: number;
  count: number;
}

export class RecordBatchWriter {
  private buf: Buffer;
  private used = 0;
  private count = 0;

  constructor(private readonly capacity = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  get records(): number {
    return this.count;
  }

  get bytes(): number {
    return this.used;
  }

  /** Appends one record, growing the buffer when needed (the whole batch travels as one buffer). */
  append(key: string, value: Buffer): void {
    const keyLength = Buffer.byteLength(key);
    const need = RECORD_HEADER_SIZE + keyLength + value.length;
    if (this.used + need > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    const b = this.buf;
    let o = this.used;
    b.writeUInt16LE(keyLength, o);
    b.writeUInt32LE(value.length, o + 2);
    o += RECORD_HEADER_SIZE;
    o += b.write(key, o, 'utf8');
    o += value.copy(b, o);
    this.used = o;
    this.count++;
  }

  /** The batch so far, or undefined when empty; the writer starts over in a fresh buffer. */
  take(): RecordBatch | undefined {
    if (this.count === 0) return undefined;
    const b = this.buf;
    const batch = { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + this.used) as ArrayBuffer, used: this.used, count: this.count };
    this.used = 0;
    this.count = 0;
    return batch;
  }
}

/** Calls `fn` for each record; values are views into the batch's buffer (which they keep alive). */
export function forEachRecord(batch: RecordBatch, fn: (key: string, value: Buffer) => void): void {
  const b = Buffer.from(batch.buffer, 0, batch.used);
  let o = 0;
  for (let i = 0; i < batch.count && o + RECORD_HEADER_SIZE <= b.length; i++) {
    const keyLength = b.readUInt16LE(o);
    const valueLength = b.readUInt32LE(o + 2);
    const keyStart = o + RECORD_HEADER_SIZE;
    const valueStart = keyStart + keyLength;
    const end = valueStart + valueLength;
    if (end > b.length) return;
    fn(b.toString('utf8', keyStart, valueStart), b.subarray(valueStart, end));
    o = end;
  }
}
