/**
 * Dedup of one Kafka partition: a SIP message whose bytes were already seen within a window of capture
 * time is a copy (the same datagram captured at two points, or seen twice on a mirror port) and is not
 * stored again. The key is the message's bytes alone, never how it was captured (addresses, capture id,
 * node, time): a message forwarded by a proxy has a new Via and Max-Forwards, so each hop stays; a
 * retransmission is byte-identical too, so the window must stay below SIP's T1 (500 ms) for them to be
 * kept. All copies carry one Call-ID, hence one partition: the window is per partition, and its state is
 * stored with the partition's offset (same transaction), so a restarted writer goes on with exactly the
 * window it had at the committed offset.
 */

/** A 53-bit hash of the bytes (cyrb53): a collision among a window's few thousand keys is ~1e-10. */
export function messageKey(msg: Uint8Array): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < msg.length; i++) {
    const c = msg[i];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Bytes per entry of the stored state: key and capture time (µs), two float64. */
const ENTRY_BYTES = 16;

export class DedupWindow {
  /** key → capture time (µs) of the last copy kept. */
  private readonly seen = new Map<number, number>();
  /** Keys in arrival order with their time, to expire the oldest first. */
  private keys: number[] = [];
  private times: number[] = [];
  private head = 0;
  private newest = 0;

  constructor(
    private readonly windowUs: number,
    private readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** True when `msg` is a copy of one kept within the window (then it is not stored). */
  isCopy(msg: Uint8Array, microTs: number): boolean {
    const key = messageKey(msg);
    const prev = this.seen.get(key);
    if (prev !== undefined && Math.abs(microTs - prev) <= this.windowUs) return true;
    this.keep(key, microTs);
    this.expire();
    return false;
  }

  private keep(key: number, microTs: number): void {
    this.seen.set(key, microTs);
    this.keys.push(key);
    this.times.push(microTs);
    if (microTs > this.newest) this.newest = microTs;
  }

  private expire(): void {
    const oldest = this.newest - this.windowUs;
    while (this.head < this.keys.length && (this.times[this.head] < oldest || this.keys.length - this.head > this.maxKeys)) {
      const key = this.keys[this.head];
      // Only the entry's own time removes it (the key may have been kept again later).
      if (this.seen.get(key) === this.times[this.head]) this.seen.delete(key);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** The window as stored with the partition's offset. */
  snapshot(): Buffer {
    const n = this.keys.length - this.head;
    const b = Buffer.allocUnsafe(n * ENTRY_BYTES);
    for (let i = 0; i < n; i++) {
      b.writeDoubleLE(this.keys[this.head + i], i * ENTRY_BYTES);
      b.writeDoubleLE(this.times[this.head + i], i * ENTRY_BYTES + 8);
    }
    return b;
  }

  /** A window as it was stored (a state of another length per entry is refused: start empty). */
  static restore(windowUs: number, maxKeys: number, state: Buffer | null | undefined): DedupWindow {
    const w = new DedupWindow(windowUs, maxKeys);
    if (!state || state.length % ENTRY_BYTES !== 0) return w;
    for (let off = 0; off < state.length; off += ENTRY_BYTES) w.keep(state.readDoubleLE(off), state.readDoubleLE(off + 8));
    w.expire();
    return w;
  }
}
