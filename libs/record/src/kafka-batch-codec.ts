import { RECORD_ENCODING_VERSION, RECORD_MSG_REF_VERSION } from './kafka-codec';
import { REPORT_RECORD_VERSION } from './report-codec';

/**
 * Kafka value holding several encoded records of one partition, version 2:
 *
 *   u8  version (2)
 *   u32 record count                  big-endian
 *   then per record: u32 byte length + the record (version 1 or 3 encoding, see kafka-codec.ts; or a
 *   report record, version 4, see report-codec.ts)
 *
 * Why: kafkajs spends tens of microseconds per Kafka message on each side (framing, CRC, objects per
 * message), several times what decoding a SIP message costs. Packing the records of one partition into
 * one message divides that by the batch size. The records keep their order, so a call stays in order.
 * A consumer reads single-record values (versions 1 and 3) and version 2 values alike.
 */
export const RECORD_BATCH_VERSION = 2;

/** Packs `records` (each an encodeRecord result) into one Kafka value. */
export function encodeRecordBatch(records: readonly Buffer[]): Buffer {
  let size = 5;
  for (let i = 0; i < records.length; i++) size += 4 + records[i].length;
  const b = Buffer.allocUnsafe(size);
  b[0] = RECORD_BATCH_VERSION;
  b.writeUInt32BE(records.length, 1);
  let o = 5;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    b.writeUInt32BE(r.length, o);
    r.copy(b, o + 4);
    o += 4 + r.length;
  }
  return b;
}

export type SplitResult = { ok: true; records: Buffer[] } | { ok: false; message: string };

/**
 * The encoded records of a Kafka value, as subarrays of it (no copy): the value itself for a single
 * record (version 1, 3 or 4), each packed record for a version 2 batch. Never throws; a bad frame is reported.
 */
export function splitRecordValue(value: Buffer): SplitResult {
  if (value.length === 0) return { ok: false, message: 'empty value' };
  if (value[0] === RECORD_ENCODING_VERSION || value[0] === RECORD_MSG_REF_VERSION || value[0] === REPORT_RECORD_VERSION)
    return { ok: true, records: [value] };
  if (value[0] !== RECORD_BATCH_VERSION) return { ok: false, message: `record encoding version ${value[0]} is not known to this build` };
  if (value.length < 5) return { ok: false, message: 'record batch shorter than its header' };
  const count = value.readUInt32BE(1);
  const records: Buffer[] = [];
  let o = 5;
  for (let i = 0; i < count; i++) {
    if (o + 4 > value.length) return { ok: false, message: `record batch ends before record ${i} of ${count}` };
    const n = value.readUInt32BE(o);
    o += 4;
    if (o + n > value.length) return { ok: false, message: `record batch ends inside record ${i} of ${count}` };
    records.push(value.subarray(o, o + n));
    o += n;
  }
  if (o !== value.length) return { ok: false, message: `record batch has ${value.length - o} bytes after its ${count} records` };
  return { ok: true, records };
}
