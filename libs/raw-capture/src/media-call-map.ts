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
  callId: string;
  expires: bigint;
  bytes: number;
}

/** What one entry costs beyond its text: the Map slot, the entry object, two string headers. */
const ENTRY_OVERHEAD = 96;

/**
 * Media address (ip:port) → Call-ID, learned from the SDP of the signalling, for correlating RTCP with
 * its call. Each stream of an SDP gives two addresses: its RTP port (RTCP multiplexed on it, RFC 5761)
 * and its RTCP port (RTP + 1, or a=rtcp). Bounded in items and bytes (least recently used out first)
 * and expiring: an address lives `ttl` after it was last announced or matched, so a call that keeps
 * sending RTCP keeps its entries. Time is the capture clock (microseconds), so a file is replayed as it
 * was captured. A Map keeps insertion order; refreshing moves an entry to the end, so the oldest is first.
 */
export class MediaCallMap {
  readonly counters: MediaCallMapCounters = { learned: 0, evicted: 0, expired: 0 };
  private readonly entries = new Map<string, Entry>();
  private heldBytes = 0;

  constructor(private readonly o: MediaCallMapOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Remembers the addresses of an SDP for its Call-ID (a later SDP for the same address wins). */
  learn(sdp: SdpMedia, nowMicros: bigint): void {
    this.expire(nowMicros);
    for (const m of sdp.media) {
      this.set(key(m.ip, m.rtpPort), sdp.callId, nowMicros);
      this.set(key(m.rtcpIp ?? m.ip, m.rtcpPort), sdp.callId, nowMicros);
    }
  }

  /**
   * The Call-ID of an RTCP packet: its destination address first (where the SDP said to send), then its
   * source (symmetric RTP sends from the announced port). A match refreshes the entry.
   */
  lookup(srcIp: string, srcPort: number, dstIp: string, dstPort: number, nowMicros: bigint): string | undefined {
    this.expire(nowMicros);
    return this.touch(key(dstIp, dstPort), nowMicros) ?? this.touch(key(srcIp, srcPort), nowMicros);
  }

  /** Forgets entries whose time passed (called on each learn/lookup, and on a timer when traffic stops). */
  expire(nowMicros: bigint): void {
    for (const [k, e] of this.entries) {
      if (e.expires > nowMicros) break;
      this.remove(k, e);
      this.counters.expired++;
    }
  }

  private touch(k: string, nowMicros: bigint): string | undefined {
    const e = this.entries.get(k);
    if (e === undefined) return undefined;
    this.entries.delete(k);
    e.expires = nowMicros + this.o.ttlMicros;
    this.entries.set(k, e);
    return e.callId;
  }

  private set(k: string, callId: string, nowMicros: bigint): void {
    const old = this.entries.get(k);
    if (old !== undefined) this.remove(k, old);
    const bytes = ENTRY_OVERHEAD + 2 * (k.length + callId.length);
    if (bytes > this.o.maxBytes) return;
    while (this.entries.size > 0 && (this.entries.size >= this.o.maxItems || this.heldBytes + bytes > this.o.maxBytes)) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldestKey, oldest);
      this.counters.evicted++;
    }
    this.entries.set(k, { callId, expires: nowMicros + this.o.ttlMicros, bytes });
    this.heldBytes += bytes;
    this.counters.learned++;
  }

  private remove(k: string, e: Entry): void {
    this.entries.delete(k);
    this.heldBytes -= e.bytes;
  }
}

function key(ip: string, port: number): string {
  return `${ip} ${port}`;
}
