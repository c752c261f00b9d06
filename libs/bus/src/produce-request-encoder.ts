import { createRequire } from 'node:module';
import kafkajsCrc32c from 'kafkajs/src/protocol/recordBatch/crc32C/index.js';

// A Produce request (versions 3-7, record batches of magic 2) written in one pass into one buffer of its
// exact size, with a native CRC32C. kafkajs builds the same bytes through nested encoders: each record, the
// records, the batch body, the batch, the partition, the topic and the request are a zero-filled buffer of
// their own (512 bytes at least, grown by doubling), and each level copies the one below, with CRC32C in
// JavaScript. For the agents, whose messages are packed record batches of tens of kilobytes, that was
// ~8 µs of CPU per capture record (bench/README.md, "Produce requests in one pass").

export type Crc32c = (bytes: Buffer) => number;

/**
 * The SSE4.2 CRC32C of `@node-rs/crc32` (0.15 ns/byte), or kafkajs' JavaScript one (2.3 ns/byte) where the
 * prebuilt binary is missing (`npm ci --omit=optional`, a platform it has none for): slower, never broken.
 */
function loadCrc32c(): { crc32c: Crc32c; native: boolean } {
  try {
    const load = createRequire(__filename);
    return { crc32c: (load('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c, native: true };
  } catch {
    return { crc32c: kafkajsCrc32c, native: false };
  }
}
const CRC32C = loadCrc32c();
/** Whether the record batches' CRC32C is the native one. */
export const NATIVE_CRC32C = CRC32C.native;

/** What kafkajs passes to a Produce request (its `broker.produce` arguments, one broker's share). */
export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  /** A kafkajs Long (`.value` is a bigint), a number or a string; -1 without idempotence. */
  producerId?: unknown;
  producerEpoch?: number;
  topicData: readonly ProduceTopicData[];
}

export interface ProduceTopicData {
  topic: string;
  partitions: readonly { partition: number; firstSequence?: number; messages: readonly ProduceMessage[] }[];
}

export interface ProduceMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: number | string;
  headers?: Record<string, unknown>;
}

/** Bytes of a zigzag varint/varlong of `v` (an integer within ±2^53). */
function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

function writeVarint(b: Buffer, o: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    b[o++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  b[o++] = z;
  return o;
}

const isBytes = (v: unknown): v is Buffer | string => typeof v === 'string' || Buffer.isBuffer(v);

const byteLength = (v: Buffer | string): number => (typeof v === 'string' ? Buffer.byteLength(v) : v.length);

function writeBytes(b: Buffer, o: number, v: Buffer | string, n: number): number {
  if (typeof v === 'string') b.write(v, o, n, 'utf8');
  else v.copy(b, o);
  return o + n;
}

/** A message this encoder writes as kafkajs would; others (headers, a null value) go to kafkajs' own encoder. */
function isPlain(m: ProduceMessage): boolean {
  if (!isBytes(m.value) || (m.key != null && !isBytes(m.key))) return false;
  if (m.headers) for (const _ in m.headers) return false;
  return true;
}

/** Whether `encodeProduceRequest` can write this request (no compression, every message plain). */
export function canEncodeProduceRequest(args: ProduceArgs, compression: number): boolean {
  if (compression !== 0) return false;
  for (const t of args.topicData) for (const p of t.partitions) for (const m of p.messages) if (!isPlain(m)) return false;
  return true;
}

/** A record after its length: attributes, timestamp and offset deltas, key (-1: none), value, no headers. */
function recordBodySize(timestampDelta: number, offsetDelta: number, keyBytes: number, valueBytes: number): number {
  return (
    1 +
    varintSize(timestampDelta) +
    varintSize(offsetDelta) +
    varintSize(keyBytes) +
    Math.max(keyBytes, 0) +
    varintSize(valueBytes) +
    valueBytes +
    1
  );
}

function toBigInt(v: unknown): bigint {
  if (v === undefined || v === null) return -1n;
  if (typeof v === 'object' && typeof (v as { value?: unknown }).value === 'bigint') return (v as { value: bigint }).value;
  return BigInt(v as number | string);
}

const RECORD_BATCH_HEADER = 61; // baseOffset .. record count
const CRC_FROM = 21; // the CRC covers attributes .. the last record

/**
 * The request body kafkajs' Produce v3-v7 `encode()` returns, byte for byte (`nowMs`: the timestamp of
 * messages without one, as kafkajs' Date.now()). Only for requests `canEncodeProduceRequest` accepts.
 * `crc32c`: the checksum (tests compare the two implementations).
 */
export function encodeProduceRequest(args: ProduceArgs, nowMs = Date.now(), crc32c: Crc32c = CRC32C.crc32c): Buffer {
  const tid = args.transactionalId ?? null;
  const producerId = BigInt.asIntN(64, toBigInt(args.producerId));
  // First pass: every size, kept for the second (per partition: its batch; per message: its record).
  let size = 2 + (tid === null ? 0 : Buffer.byteLength(tid)) + 2 + 4 + 4;
  const batches: { bytes: number; first: number; max: number }[] = [];
  const records: { delta: number; key: number; value: number; body: number }[] = [];
  for (const t of args.topicData) {
    size += 2 + Buffer.byteLength(t.topic) + 4;
    for (const p of t.partitions) {
      // As kafkajs: the batch spans the messages' own timestamps (now when none has one); a message
      // without one (or 0) is stamped now.
      let first = Infinity;
      let max = -Infinity;
      for (const m of p.messages) {
        if (m.timestamp == null) continue;
        first = Math.min(first, Number(m.timestamp));
        max = Math.max(max, Number(m.timestamp));
      }
      if (first === Infinity) first = max = nowMs;
      let bytes = RECORD_BATCH_HEADER;
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i];
        const delta = (m.timestamp ? Number(m.timestamp) : nowMs) - first;
        const key = m.key == null ? -1 : byteLength(m.key);
        const value = byteLength(m.value!);
        const body = recordBodySize(delta, i, key, value);
        records.push({ delta, key, value, body });
        bytes += varintSize(body) + body;
      }
      batches.push({ bytes, first, max });
      size += 4 + 4 + bytes;
    }
  }
  // Second pass: the bytes.
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  if (tid === null) o = b.writeInt16BE(-1, o);
  else {
    o = b.writeInt16BE(Buffer.byteLength(tid), o);
    o += b.write(tid, o, 'utf8');
  }
  o = b.writeInt16BE(args.acks, o);
  o = b.writeInt32BE(args.timeout, o);
  o = b.writeInt32BE(args.topicData.length, o);
  let bi = 0;
  let ri = 0;
  for (const t of args.topicData) {
    o = b.writeInt16BE(Buffer.byteLength(t.topic), o);
    o += b.write(t.topic, o, 'utf8');
    o = b.writeInt32BE(t.partitions.length, o);
    for (const p of t.partitions) {
      const batch = batches[bi++];
      o = b.writeInt32BE(p.partition, o);
      o = b.writeInt32BE(batch.bytes, o);
      const start = o;
      o = b.writeBigInt64BE(0n, o); // baseOffset
      o = b.writeInt32BE(batch.bytes - 12, o); // batchLength: what follows it
      o = b.writeInt32BE(0, o); // partitionLeaderEpoch
      o = b.writeInt8(2, o); // magic
      o += 4; // CRC, below
      o = b.writeInt16BE(tid ? 16 : 0, o); // attributes: no compression, the transactional bit
      o = b.writeInt32BE(p.messages.length - 1, o);
      o = b.writeBigInt64BE(BigInt(batch.first), o);
      o = b.writeBigInt64BE(BigInt(batch.max), o);
      o = b.writeBigInt64BE(producerId, o);
      o = b.writeInt16BE(args.producerEpoch ?? 0, o);
      o = b.writeInt32BE(p.firstSequence ?? 0, o);
      o = b.writeInt32BE(p.messages.length, o);
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i];
        const r = records[ri++];
        o = writeVarint(b, o, r.body);
        b[o++] = 0; // record attributes
        o = writeVarint(b, o, r.delta);
        o = writeVarint(b, o, i);
        o = writeVarint(b, o, r.key);
        if (r.key > 0) o = writeBytes(b, o, m.key!, r.key);
        o = writeVarint(b, o, r.value);
        o = writeBytes(b, o, m.value!, r.value);
        b[o++] = 0; // no headers
      }
      b.writeUInt32BE(crc32c(b.subarray(start + CRC_FROM, o)), start + 17);
    }
  }
  return b;
}
