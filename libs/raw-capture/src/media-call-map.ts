import type { SdpMedia } from './sdp-media';

export interface MediaCallMapOptions {
  /** Addresses (ip:port) held at most; the least recently used go first (RTCP_SDP_MAX_ITEMS). */
  maxItems: number;
  /** Bytes held at most, keys and Call-IDs counted with their entry overhead (RTCP_SDP_MAX_MB). */
  maxBytes: number;
  /** An address not seen in SDP or matched by RTCP for this long is forgotten (RTCP_SDP_TTL_S). */
  ttlMicros: bigint;
}

export interface MediaCallMapCounters {
  /** Addresses learned or refreshed from SDP. */
  learned: number;
  /** Addresses pushed out to stay within maxItems or maxBytes. */
  evicted: number;
  /** Addresses forgotten after ttl. */
  expired: number;
}

interface Entry {
  key: string;
  callId: string;
  /** Capture time in microseconds (a Number: exact to 2^53, about 285 years past 1970). */
  expires: number;
  bytes: number;
  /** Neighbours in last-use order (older, newer). */
  older: Entry | undefined;
  newer: Entry | undefined;
}

/** What one entry costs beyond its text: the Map slot, the entry object, two string headers. */
const ENTRY_OVERHEAD = 96;

/**
 * Media address (ip:port) → Call-ID, learned from the SDP of the signalling, for correlating RTCP with
 * its call. Each stream of an SDP gives two addresses: its RTP port (RTCP multiplexed on it, RFC 5761)
 * and its RTCP port (RTP + 1, or a=rtcp). Bounded in items and bytes (least recently used out first)
 * and expiring: an address lives `ttl` after it was last announced or matched, so a call that keeps
 * sending RTCP keeps its entries. Time is the capture clock (microseconds), so a file is replayed as it
 * was captured. Entries are linked in last-use order (oldest first), so expiry and eviction take the
 * oldest in O(1); a Map iterated from its start would step over every deleted slot each time.
 */
export class MediaCallMap {
  readonly counters: MediaCallMapCounters = { learned: 0, evicted: 0, expired: 0 };
  private readonly entries = new Map<string, Entry>();
  private oldest: Entry | undefined;
  private newest: Entry | undefined;
  private heldBytes = 0;
  private readonly ttl: number;

  constructor(private readonly o: MediaCallMapOptions) {
    this.ttl = Number(o.ttlMicros);
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Remembers the addresses of an SDP for its Call-ID (a later SDP for the same address wins). */
  learn(sdp: SdpMedia, nowMicros: bigint): void {
    const now = Number(nowMicros);
    this.expireAt(now);
    for (const m of sdp.media) {
      this.set(key(m.ip, m.rtpPort), sdp.callId, now);
      this.set(key(m.rtcpIp ?? m.ip, m.rtcpPort), sdp.callId, now);
    }
  }

  /**
   * The Call-ID of an RTCP packet: its destination address first (where the SDP said to send), then its
   * source (symmetric RTP sends from the announced port). A match refreshes the entry.
   */
  lookup(srcIp: string, srcPort: number, dstIp: string, dstPort: number, nowMicros: bigint): string | undefined {
    const now = Number(nowMicros);
    this.expireAt(now);
    return this.touch(key(dstIp, dstPort), now) ?? this.touch(key(srcIp, srcPort), now);
  }

  /** Forgets entries whose time passed (called on each learn/lookup, and on a timer when traffic stops). */
  expire(nowMicros: bigint): void {
    this.expireAt(Number(nowMicros));
  }

  private expireAt(now: number): void {
    for (let e = this.oldest; e !== undefined && e.expires <= now; e = this.oldest) {
      this.remove(e);
      this.counters.expired++;
    }
  }

  private touch(k: string, now: number): string | undefined {
    const e = this.entries.get(k);
    if (e === undefined) return undefined;
    this.refresh(e, now);
    return e.callId;
  }

  private refresh(e: Entry, now: number): void {
    e.expires = now + this.ttl;
    if (e === this.newest) return;
    this.unlink(e);
    this.append(e);
  }

  private set(k: string, callId: string, now: number): void {
    const old = this.entries.get(k);
    if (old !== undefined) {
      // The same call announcing the same address again (re-INVITE, 200 OK, ACK): refreshed in place.
      this.counters.learned++;
      if (old.callId === callId) return this.refresh(old, now);
      this.remove(old);
    }
    const bytes = ENTRY_OVERHEAD + 2 * (k.length + callId.length);
    if (bytes > this.o.maxBytes) return;
    while (this.oldest !== undefined && (this.entries.size >= this.o.maxItems || this.heldBytes + bytes > this.o.maxBytes)) {
      this.remove(this.oldest);
      this.counters.evicted++;
    }
    const e: Entry = { key: k, callId, expires: now + this.ttl, bytes, older: undefined, newer: undefined };
    this.entries.set(k, e);
    this.append(e);
    this.heldBytes += bytes;
    if (old === undefined) this.counters.learned++;
  }

  private remove(e: Entry): void {
    this.entries.delete(e.key);
    this.unlink(e);
    this.heldBytes -= e.bytes;
  }

  private append(e: Entry): void {
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  private unlink(e: Entry): void {
    if (e.older !== undefined) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer !== undefined) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = undefined;
  }
}

function key(ip: string, port: number): string {
  return `${ip} ${port}`;
}
