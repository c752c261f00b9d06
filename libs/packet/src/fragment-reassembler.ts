import type { IpFragment } from './decoded-packet';
import { pathKey } from './flow-key';

export interface FragmentReassemblerOptions {
  /**
   * Memory held in total, all datagrams together (default 8 MiB), counted as the fragment data plus a fixed
   * cost per piece kept (PIECE_OVERHEAD) and per datagram (DATAGRAM_OVERHEAD): tiny fragments cost far more
   * than their data bytes (a Buffer, a piece object, an array slot), so data bytes alone did not bound memory.
   */
  maxBytes?: number;
  /** Datagrams being reassembled at once (default 4096). */
  maxDatagrams?: number;
  /** A datagram not complete this long after its first fragment is dropped (default 30 s, as Linux). */
  timeoutMicros?: number;
  /** Fragments of one datagram (default 256; 64 KiB in 1280-byte IPv6 fragments takes 54). */
  maxFragmentsPerDatagram?: number;
}

export interface ReassembledDatagram {
  /** The first fragment (offset 0): addresses, protocol and tunnel context to resume decoding with. */
  fragment: IpFragment;
  /** The whole IP payload of the datagram (a fresh buffer). */
  payload: Buffer;
}

/** What the reassembler counted; exported as metrics by the agents. */
export interface FragmentCounters {
  fragments: number;
  reassembled: number;
  /** Datagrams dropped because their timeout passed before they were complete. */
  timedOut: number;
  /** Datagrams dropped to stay within maxBytes / maxDatagrams (the oldest go first). */
  evicted: number;
  /** Datagrams dropped for inconsistent offsets: beyond 65535, beyond the end another fragment set, a
   *  non-final fragment not a multiple of 8, two different ends. */
  badOffset: number;
  /** Datagrams dropped for having more than maxFragmentsPerDatagram fragments. */
  tooManyFragments: number;
  /** Fragments that overlapped bytes already held (first-wins: the old bytes were kept). */
  overlaps: number;
  /** Fragments whose every byte was already held (retransmissions, mirrored twice). */
  duplicates: number;
}

/** Largest IP payload a fragment offset (13 bits of 8 bytes) plus length can describe. */
const MAX_DATAGRAM_PAYLOAD = 65535;

/** What one kept piece costs besides its data: its Buffer and Piece objects and its array slot (rounded up). */
export const PIECE_OVERHEAD = 256;
/** What one datagram being reassembled costs besides its pieces: its map entry, key string and state. */
export const DATAGRAM_OVERHEAD = 512;

interface Piece {
  start: number;
  end: number;
  data: Buffer;
}

interface Pending {
  firstSeen: number;
  pieces: Piece[];
  /** Data bytes held (the completion test compares them with total). */
  bytes: number;
  /** What it is charged against maxBytes: data plus the fixed costs. */
  cost: number;
  /** Payload size, once the last fragment (MF clear) arrived; -1 before. */
  total: number;
  fragments: number;
  first: IpFragment | undefined;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reassembles IPv4 and IPv6 fragments into whole datagrams. Time comes from the packets' capture
 * timestamps (not the wall clock), so replaying a file behaves as the live capture did.
 *
 * Overlaps are resolved first-wins: bytes already held are never replaced, a later fragment only fills
 * holes (the same datagram seen twice on a mirror port is then harmless). Datagrams are keyed by family,
 * addresses, identification, protocol (IPv4 only: IPv6 fragments may name different next headers),
 * VLAN ids and tunnel, so copies seen through different paths do not mix.
 */
export class FragmentReassembler {
  readonly counters: FragmentCounters = {
    fragments: 0,
    reassembled: 0,
    timedOut: 0,
    evicted: 0,
    badOffset: 0,
    tooManyFragments: 0,
    overlaps: 0,
    duplicates: 0,
  };
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxDatagrams: number;
  private readonly timeout: number;
  private readonly maxFragments: number;

  constructor(options: FragmentReassemblerOptions = {}) {
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.maxDatagrams = options.maxDatagrams ?? 4096;
    this.timeout = options.timeoutMicros ?? 30_000_000;
    this.maxFragments = options.maxFragmentsPerDatagram ?? 256;
  }

  get pendingDatagrams(): number {
    return this.pending.size;
  }

  /** Pieces (runs of fragment data) held, all datagrams together. */
  get pendingPieces(): number {
    let n = 0;
    for (const d of this.pending.values()) n += d.pieces.length;
    return n;
  }

  /** Memory charged for the datagrams being reassembled: data plus the fixed cost per piece and datagram. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Adds a fragment (its data is copied); returns the datagram when this fragment completed it. */
  push(fragment: IpFragment, tsMicros: bigint): ReassembledDatagram | undefined {
    const now = Number(tsMicros);
    this.counters.fragments++;
    this.expireAt(now);

    const key = datagramKey(fragment);
    const start = fragment.offset;
    const end = start + fragment.data.length;
    let d = this.pending.get(key);

    if (end > MAX_DATAGRAM_PAYLOAD || (fragment.more && (fragment.data.length === 0 || fragment.data.length % 8 !== 0))) {
      this.counters.badOffset++;
      if (d !== undefined) this.drop(key, d);
      return undefined;
    }

    if (d === undefined) {
      if (this.pending.size >= this.maxDatagrams) this.evictOldest();
      while (this.pending.size > 0 && this.bytes + DATAGRAM_OVERHEAD > this.maxBytes) this.evictOldest();
      d = { firstSeen: now, pieces: [], bytes: 0, cost: DATAGRAM_OVERHEAD, total: -1, fragments: 0, first: undefined };
      this.pending.set(key, d);
      this.bytes += DATAGRAM_OVERHEAD;
    }

    // The end of the datagram: set once, and no fragment may reach beyond it.
    if (!fragment.more) {
      if ((d.total >= 0 && d.total !== end) || (d.pieces.length > 0 && d.pieces[d.pieces.length - 1].end > end)) {
        this.counters.badOffset++;
        this.drop(key, d);
        return undefined;
      }
      d.total = end;
    } else if (d.total >= 0 && end > d.total) {
      this.counters.badOffset++;
      this.drop(key, d);
      return undefined;
    }

    if (++d.fragments > this.maxFragments) {
      this.counters.tooManyFragments++;
      this.drop(key, d);
      return undefined;
    }

    const holes = uncovered(d.pieces, start, end);
    const added = holes.reduce((n, h) => n + h[1] - h[0], 0);
    if (added < end - start) {
      if (added === 0) this.counters.duplicates++;
      else this.counters.overlaps++;
    }
    if (added > 0) {
      const cost = added + holes.length * PIECE_OVERHEAD;
      while (this.bytes + cost > this.maxBytes) {
        const oldest = this.pending.keys().next().value as string;
        if (oldest === key) {
          // This datagram alone does not fit next to what remains: it is the one to go.
          this.counters.evicted++;
          this.drop(key, d);
          return undefined;
        }
        this.evictOldest();
      }
      for (const [s, e] of holes) {
        insertPiece(d.pieces, { start: s, end: e, data: Buffer.from(fragment.data.subarray(s - start, e - start)) });
      }
      d.bytes += added;
      d.cost += cost;
      this.bytes += cost;
    }
    if (start === 0 && d.first === undefined) d.first = { ...fragment, data: EMPTY };

    if (d.total < 0 || d.bytes !== d.total || d.first === undefined) return undefined;
    // Pieces never overlap and all lie below total, so holding `total` bytes means no hole is left.
    const payload = Buffer.allocUnsafe(d.total);
    for (const p of d.pieces) p.data.copy(payload, p.start);
    this.drop(key, d);
    this.counters.reassembled++;
    return { fragment: d.first, payload };
  }

  /** Drops datagrams whose timeout passed at `tsMicros`; returns how many. */
  expire(tsMicros: bigint): number {
    return this.expireAt(Number(tsMicros));
  }

  private expireAt(now: number): number {
    // Map order is arrival order of first fragments: the oldest are at the front.
    let n = 0;
    for (const [key, d] of this.pending) {
      if (now - d.firstSeen < this.timeout) break;
      this.drop(key, d);
      n++;
    }
    this.counters.timedOut += n;
    return n;
  }

  private evictOldest(): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    this.counters.evicted++;
    this.drop(first.value[0], first.value[1]);
  }

  private drop(key: string, d: Pending): void {
    this.bytes -= d.cost;
    this.pending.delete(key);
  }
}

function datagramKey(f: IpFragment): string {
  let key = `${f.family}|${f.srcIp}|${f.dstIp}|${f.id}`;
  if (f.family === 2) key += `|${f.ipProto}`;
  return key + pathKey(f.vlans, f.tunnel);
}

/** The parts of [start, end) not covered by `pieces` (sorted, non-overlapping). */
function uncovered(pieces: Piece[], start: number, end: number): [number, number][] {
  const holes: [number, number][] = [];
  let cursor = start;
  for (const p of pieces) {
    if (p.end <= cursor) continue;
    if (p.start >= end) break;
    if (p.start > cursor) holes.push([cursor, p.start]);
    cursor = Math.max(cursor, p.end);
    if (cursor >= end) break;
  }
  if (cursor < end) holes.push([cursor, end]);
  return holes;
}

function insertPiece(pieces: Piece[], piece: Piece): void {
  let i = pieces.length;
  while (i > 0 && pieces[i - 1].start > piece.start) i--;
  pieces.splice(i, 0, piece);
}
