/**
 * Items and estimated bytes of KPI state held, shared by every partition's tracker of an instance, so
 * the whole is bounded (STATS_STATE_MAX_ITEMS, STATS_STATE_MAX_MB) however the partitions are spread.
 */
export class StateBudget {
  items = 0;
  bytes = 0;
  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
  ) {}

  fits(bytes: number): boolean {
    return this.items + 1 <= this.maxItems && this.bytes + bytes <= this.maxBytes;
  }
}

/** Estimated bytes of one state entry: the key's characters (V8 strings: 1-2 bytes each), the Map slot, the value. */
export const entryBytes = (key: string, valueBytes: number): number => 2 * key.length + 100 + valueBytes;

interface Slot<V> {
  value: V;
  /** Seconds (event time) at which the entry expires. */
  expiresAt: number;
  bytes: number;
}

/**
 * A Map whose entries expire a fixed `ttl` seconds after they were last touched, kept in touch order so
 * that expiry and eviction take the oldest first in O(1). Its items and bytes count against `budget`.
 */
export class ExpiringMap<V> {
  private readonly map = new Map<string, Slot<V>>();

  constructor(
    private readonly budget: StateBudget,
    readonly ttl: number,
    private readonly valueBytes: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Moves an entry to the young end, expiring `ttl` from `now`. */
  touch(key: string, now: number, ttl = this.ttl): void {
    const slot = this.map.get(key);
    if (!slot) return;
    this.map.delete(key);
    slot.expiresAt = now + ttl;
    this.map.set(key, slot);
  }

  /**
   * Stores `value` (a key not held). When the budget is spent, the oldest entries of this map are evicted
   * through `onEvict` to make room; false when even that does not make room (the state belongs to others).
   */
  add(key: string, value: V, now: number, onEvict: (value: V) => void, ttl = this.ttl): boolean {
    const bytes = entryBytes(key, this.valueBytes);
    while (!this.budget.fits(bytes)) {
      const oldest = this.map.keys().next();
      if (oldest.done) return false;
      const v = this.map.get(oldest.value)!.value;
      this.delete(oldest.value);
      onEvict(v);
    }
    this.map.set(key, { value, expiresAt: now + ttl, bytes });
    this.budget.items++;
    this.budget.bytes += bytes;
    return true;
  }

  delete(key: string): V | undefined {
    const slot = this.map.get(key);
    if (!slot) return undefined;
    this.map.delete(key);
    this.budget.items--;
    this.budget.bytes -= slot.bytes;
    return slot.value;
  }

  /**
   * Removes what expired by `now`, oldest first, through `onExpire`. Entries are in touch order and most
   * share one ttl; one touched with a shorter ttl waits behind older ones until they go (at most `ttl`).
   */
  expire(now: number, onExpire: (value: V, key: string) => void): void {
    for (const [key, slot] of this.map) {
      if (slot.expiresAt > now) break;
      this.delete(key);
      onExpire(slot.value, key);
    }
  }

  /** Removes everything, through `onDrop`. */
  clear(onDrop: (value: V) => void): void {
    for (const key of [...this.map.keys()]) onDrop(this.delete(key)!);
  }
}
