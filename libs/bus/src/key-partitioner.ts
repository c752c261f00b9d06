import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 hash (the Java client's Utils.murmur2, which kafkajs' DefaultPartitioner ports) over
 * `data[0..length)`, in 32-bit integer arithmetic: kafkajs computes it with a Long object per step,
 * which cost the agents about a fifth of their produce time.
 */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1 to 3 bytes (the Java original falls through a switch on length % 4).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

// Keys are encoded into this scratch buffer (grown when a key does not fit), not into a new Buffer each.
let scratch = Buffer.allocUnsafe(1024);

/** murmur2 of a key as Kafka sees it: a Buffer as is, anything else as its UTF-8 text. */
export function keyHash(key: Buffer | string): number {
  if (Buffer.isBuffer(key)) return murmur2(key);
  const text = String(key);
  // UTF-8 takes at most 3 bytes per UTF-16 unit; only then can the scratch buffer be too small.
  if (text.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(text.length * 3, scratch.length * 2));
  return murmur2(scratch, scratch.write(text, 0, 'utf8'));
}

/**
 * The partitioner of kafkajs' DefaultPartitioner (Java-compatible), without its per-message costs:
 * an explicit partition is kept; a keyed message goes to murmur2(key) & 0x7fffffff modulo the partition
 * count, exactly where the Java client and kafkajs put it (a call's messages stay on one partition,
 * as before); a message without a key goes round robin over the partitions that have a leader.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  let counter = Math.floor(Math.random() * 0x7fffffff);
  return ({ partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return (keyHash(message.key) & 0x7fffffff) % partitionMetadata.length;
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    counter = (counter + 1) & 0x7fffffff;
    return available.length > 0 ? available[counter % available.length].partitionId : counter % partitionMetadata.length;
  };
};
