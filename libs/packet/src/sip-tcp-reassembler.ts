import { TcpFlag, type TcpInfo, type TunnelInfo } from './decoded-packet';
import { pathKey } from './flow-key';
import {
  afterLastLineFeed,
  contentLength,
  CONTENT_LENGTH_ABSENT,
  CONTENT_LENGTH_INVALID,
  findHeaderEnd,
  findStartLine,
  isSipStartLine,
  lineEndAt,
} from './sip-framing';

export interface SipTcpReassemblerOptions {
  /** Largest SIP message kept (default 64 KiB); larger ones are skipped by their Content-Length. */
  maxMessageBytes?: number;
  /** Bytes buffered per stream direction, pending message and out-of-order segments (default 256 KiB). */
  maxStreamBytes?: number;
  /** Bytes buffered over all streams (default 64 MiB); the least recently active streams go first. */
  maxTotalBytes?: number;
  /** Stream directions tracked at once (default 65536). */
  maxStreams?: number;
  /** Out-of-order segments held per stream while waiting for a gap to fill (default 16). */
  maxOutOfOrderSegments?: number;
  /** A stream without segments for this long is forgotten (default 300 s). */
  idleTimeoutMicros?: number;
}

/** What the reassembler needs of a decoded TCP packet (a DecodedPacket with `tcp` set fits). */
export interface TcpSegment {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  tcp: TcpInfo;
  vlans?: number[];
  tunnel?: TunnelInfo;
}

export interface SipTcpCounters {
  messages: number;
  streamsOpened: number;
  streamsClosed: number;
  /** Streams forgotten after idleTimeoutMicros. */
  streamsTimedOut: number;
  /** Streams dropped to stay within maxStreams / maxTotalBytes. */
  streamsEvicted: number;
  /** Segments (or their leading part) already received. */
  retransmissions: number;
  /** Segments that arrived ahead of a gap and were held. */
  outOfOrder: number;
  /** Gaps given up on (segment lost to the capture, or too many held): the partial message is lost. */
  gaps: number;
  /** Bytes skipped while looking for a SIP start line (stream joined mid-message, non-SIP data). */
  resyncBytes: number;
  /** Messages larger than maxMessageBytes, skipped. */
  oversize: number;
  /** CRLF keep-alives (RFC 5626) skipped between messages. */
  keepalives: number;
  /** Messages framed without a Content-Length (taken as 0, as RFC 3261 18.3 allows only for UDP). */
  missingContentLength: number;
  /** Content-Length values that did not parse: the message is skipped. */
  badContentLength: number;
}

interface HeldSegment {
  seq: number;
  data: Buffer;
}

class Stream {
  nextSeq = 0;
  /** True when the next byte is known to start a message (after SYN, or after a whole message). */
  synced = false;
  /** Pending bytes of an incomplete message: buf[start, end). */
  buf: Buffer | undefined = undefined;
  start = 0;
  end = 0;
  /** Bytes still to skip of an oversize message. */
  discard = 0;
  held: HeldSegment[] = [];
  heldBytes = 0;
  lastSeen = 0;

  memory(): number {
    return (this.buf?.length ?? 0) + this.heldBytes;
  }

  clearBuffers(): void {
    this.buf = undefined;
    this.start = 0;
    this.end = 0;
    this.held = [];
    this.heldBytes = 0;
    this.discard = 0;
  }
}

const NONE: readonly Buffer[] = Object.freeze([]);
/** A start line or header line longer than this while looking for the end of a line is not SIP. */
const MAX_LINE = 8192;
const SWEEP_INTERVAL_MICROS = 1_000_000;

/** Signed distance a - b in 32-bit sequence space. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * Turns the TCP segments of SIP connections into whole SIP messages, per direction (4-tuple, VLANs and
 * tunnel). Messages are framed by Content-Length; segments are put in order by sequence number,
 * retransmissions dropped, a few out-of-order segments held; a stream joined in the middle resyncs at
 * the first line that looks like a SIP start line. Time is the packets' capture time.
 */
export class SipTcpReassembler {
  readonly counters: SipTcpCounters = {
    messages: 0,
    streamsOpened: 0,
    streamsClosed: 0,
    streamsTimedOut: 0,
    streamsEvicted: 0,
    retransmissions: 0,
    outOfOrder: 0,
    gaps: 0,
    resyncBytes: 0,
    oversize: 0,
    keepalives: 0,
    missingContentLength: 0,
    badContentLength: 0,
  };
  /** Insertion order is kept as least-recently-active first (a touched stream is moved to the end). */
  private readonly streams = new Map<string, Stream>();
  private totalBytes = 0;
  private lastSweep = 0;
  private readonly maxMessage: number;
  private readonly maxStream: number;
  private readonly maxTotal: number;
  private readonly maxStreams: number;
  private readonly maxHeld: number;
  private readonly idleTimeout: number;

  constructor(options: SipTcpReassemblerOptions = {}) {
    this.maxMessage = options.maxMessageBytes ?? 64 * 1024;
    this.maxStream = Math.max(options.maxStreamBytes ?? 256 * 1024, this.maxMessage);
    this.maxTotal = options.maxTotalBytes ?? 64 * 1024 * 1024;
    this.maxStreams = options.maxStreams ?? 65536;
    this.maxHeld = options.maxOutOfOrderSegments ?? 16;
    this.idleTimeout = options.idleTimeoutMicros ?? 300_000_000;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Bytes buffered over all streams. */
  get bufferedBytes(): number {
    return this.totalBytes;
  }

  /** Feeds one segment; returns the SIP messages it completed (fresh copies), oldest first. */
  push(seg: TcpSegment, tsMicros: bigint): readonly Buffer[] {
    const now = Number(tsMicros);
    if (now - this.lastSweep >= SWEEP_INTERVAL_MICROS || now < this.lastSweep) {
      this.lastSweep = now;
      this.expireAt(now);
    }
    const flags = seg.tcp.flags;
    const payload = seg.payload; // read once: on a decoded packet each read makes a view
    const key = `${seg.srcIp}|${seg.srcPort}|${seg.dstIp}|${seg.dstPort}${pathKey(seg.vlans, seg.tunnel)}`;
    let stream = this.streams.get(key);

    if ((flags & TcpFlag.RST) !== 0) {
      if (stream !== undefined) this.close(key, stream);
      return NONE;
    }
    const syn = (flags & TcpFlag.SYN) !== 0;
    if (stream === undefined) {
      if (payload.length === 0 && !syn) return NONE; // a bare ACK or FIN of a stream we do not follow
      if (this.streams.size >= this.maxStreams) this.evictOldest();
      stream = new Stream();
      stream.nextSeq = seg.tcp.seq;
      this.counters.streamsOpened++;
    } else {
      this.streams.delete(key); // re-inserted below: most recently active last
    }
    this.streams.set(key, stream);
    stream.lastSeen = now;
    const before = stream.memory();
    let out: Buffer[] | undefined;

    let seq = seg.tcp.seq;
    if (syn) {
      // A new connection (or its SYN retransmitted): data starts after the SYN, at a message boundary.
      if (stream.synced === false || seqDiff((seq + 1) >>> 0, stream.nextSeq) !== 0) stream.clearBuffers();
      stream.nextSeq = (seq + 1) >>> 0;
      stream.synced = true;
      seq = stream.nextSeq;
    }
    if (payload.length > 0) out = this.segment(stream, seq, payload, out);
    if ((flags & TcpFlag.FIN) !== 0) {
      // Whatever is held past a gap will never be completed by retransmission now: use it.
      while (stream.held.length > 0) out = this.skipGap(stream, out);
      this.totalBytes += stream.memory() - before;
      this.close(key, stream);
      return out ?? NONE;
    }
    this.totalBytes += stream.memory() - before;
    while (this.totalBytes > this.maxTotal && this.streams.size > 0) this.evictOldest();
    return out ?? NONE;
  }

  /** Forgets streams idle since before `tsMicros - idleTimeout`; returns how many. */
  expire(tsMicros: bigint): number {
    return this.expireAt(Number(tsMicros));
  }

  private expireAt(now: number): number {
    let n = 0;
    for (const [key, stream] of this.streams) {
      if (now - stream.lastSeen < this.idleTimeout) break;
      this.drop(key, stream);
      n++;
    }
    this.counters.streamsTimedOut += n;
    return n;
  }

  private close(key: string, stream: Stream): void {
    this.drop(key, stream);
    this.counters.streamsClosed++;
  }

  private drop(key: string, stream: Stream): void {
    this.totalBytes -= stream.memory();
    this.streams.delete(key);
  }

  private evictOldest(): void {
    const first = this.streams.entries().next();
    if (first.done) return;
    this.counters.streamsEvicted++;
    this.drop(first.value[0], first.value[1]);
  }

  /** Places one segment's data in the stream by sequence number. */
  private segment(stream: Stream, seq: number, data: Buffer, out: Buffer[] | undefined): Buffer[] | undefined {
    let diff = seqDiff(seq, stream.nextSeq);
    if (diff > this.maxStream || diff < -4 * this.maxStream) {
      // Far from where we are: packets lost to the capture, or a new connection whose SYN we missed.
      this.counters.gaps++;
      this.restartAt(stream, seq);
      diff = 0;
    }
    if (diff < 0) {
      this.counters.retransmissions++;
      if (diff + data.length <= 0) return out;
      data = data.subarray(-diff);
      diff = 0;
    }
    if (diff > 0) {
      this.hold(stream, seq, data);
      if (stream.held.length > this.maxHeld || stream.memory() > this.maxStream) out = this.skipGap(stream, out);
      return out;
    }
    out = this.consume(stream, data, out);
    stream.nextSeq = (stream.nextSeq + data.length) >>> 0;
    return this.drainHeld(stream, out);
  }

  private hold(stream: Stream, seq: number, data: Buffer): void {
    for (const h of stream.held) {
      if (h.seq === seq && h.data.length >= data.length) {
        this.counters.retransmissions++;
        return;
      }
    }
    this.counters.outOfOrder++;
    stream.held.push({ seq, data: Buffer.from(data) });
    stream.heldBytes += data.length;
  }

  /** Applies held segments that the stream has now reached. */
  private drainHeld(stream: Stream, out: Buffer[] | undefined): Buffer[] | undefined {
    for (let progress = true; progress && stream.held.length > 0;) {
      progress = false;
      for (let i = 0; i < stream.held.length; i++) {
        const h = stream.held[i];
        const diff = seqDiff(h.seq, stream.nextSeq);
        if (diff > 0) continue;
        stream.held.splice(i, 1);
        stream.heldBytes -= h.data.length;
        if (diff + h.data.length > 0) {
          const data = h.data.subarray(-diff);
          out = this.consume(stream, data, out);
          stream.nextSeq = (stream.nextSeq + data.length) >>> 0;
        }
        progress = true;
        break;
      }
    }
    return out;
  }

  /** Gives up on the gap before the earliest held segment: the partial message is lost, resync after it. */
  private skipGap(stream: Stream, out: Buffer[] | undefined): Buffer[] | undefined {
    this.counters.gaps++;
    let earliest = stream.held[0];
    for (const h of stream.held) if (seqDiff(h.seq, earliest.seq) < 0) earliest = h;
    const held = stream.held;
    const heldBytes = stream.heldBytes;
    this.restartAt(stream, earliest.seq);
    stream.held = held;
    stream.heldBytes = heldBytes;
    return this.drainHeld(stream, out);
  }

  private restartAt(stream: Stream, seq: number): void {
    stream.clearBuffers();
    stream.nextSeq = seq;
    stream.synced = false;
  }

  /** In-order bytes: frame messages from the pending bytes followed by `data`. */
  private consume(stream: Stream, data: Buffer, out: Buffer[] | undefined): Buffer[] | undefined {
    if (stream.discard > 0) {
      const n = Math.min(stream.discard, data.length);
      stream.discard -= n;
      data = data.subarray(n);
      if (stream.discard === 0) stream.synced = true; // the skipped message ended exactly here
      if (data.length === 0) return out;
    }
    if (stream.end === stream.start) {
      // Nothing pending: frame straight from the segment and keep only an incomplete tail.
      const r = this.frame(stream, data, 0, data.length, out);
      if (r.next < data.length && stream.discard === 0) this.append(stream, data.subarray(r.next));
      return r.out;
    }
    this.append(stream, data);
    const r = this.frame(stream, stream.buf!.subarray(0, stream.end), stream.start, stream.end, out);
    stream.start = r.next;
    if (stream.discard > 0 || stream.start === stream.end) {
      stream.buf = undefined; // nothing left worth keeping: free it while the stream idles
      stream.start = 0;
      stream.end = 0;
    }
    return r.out;
  }

  private append(stream: Stream, data: Buffer): void {
    const n = data.length;
    if (stream.buf === undefined) {
      stream.buf = Buffer.allocUnsafe(Math.max(n, 4096));
      stream.start = 0;
      stream.end = 0;
    } else if (stream.end + n > stream.buf.length) {
      const live = stream.end - stream.start;
      if (live + n <= stream.buf.length) {
        stream.buf.copyWithin(0, stream.start, stream.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(live + n, stream.buf.length * 2));
        stream.buf.copy(grown, 0, stream.start, stream.end);
        stream.buf = grown;
      }
      stream.start = 0;
      stream.end = live;
    }
    data.copy(stream.buf, stream.end);
    stream.end += n;
  }

  /**
   * Frames whole messages in buf[start, end) (buf ends at `end`). Returns where the unconsumed bytes
   * begin; bytes before that were emitted, or skipped as keep-alives or resync garbage.
   */
  private frame(
    stream: Stream,
    buf: Buffer,
    start: number,
    end: number,
    out: Buffer[] | undefined,
  ): { next: number; out: Buffer[] | undefined } {
    const c = this.counters;
    while (start < end) {
      if (!stream.synced) {
        const found = findStartLine(buf, start, end);
        if (found < 0) {
          // Keep the last, incomplete line: it may be a start line still arriving.
          let keep = afterLastLineFeed(buf, start, end);
          if (end - keep > MAX_LINE) keep = end;
          c.resyncBytes += keep - start;
          return { next: keep, out };
        }
        c.resyncBytes += found - start;
        start = found;
        stream.synced = true;
      }
      // Between messages: CRLF keep-alives (a ping is CRLFCRLF, a pong CRLF).
      if (buf[start] === 0x0d || buf[start] === 0x0a) {
        while (start < end && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
        c.keepalives++;
        continue;
      }
      const lineEnd = lineEndAt(buf, start, end);
      if (lineEnd < 0) {
        if (end - start > MAX_LINE) {
          stream.synced = false;
          continue;
        }
        return { next: start, out };
      }
      if (!isSipStartLine(buf, start, lineEnd)) {
        stream.synced = false;
        continue;
      }
      const headerEnd = findHeaderEnd(buf, start, end);
      if (headerEnd < 0) {
        if (end - start <= this.maxMessage) return { next: start, out };
        c.oversize++;
        stream.synced = false;
        start = lineEnd + 1;
        continue;
      }
      let bodyLength = contentLength(buf, start, headerEnd);
      if (bodyLength === CONTENT_LENGTH_INVALID) {
        c.badContentLength++;
        stream.synced = false;
        start = lineEnd + 1;
        continue;
      }
      if (bodyLength === CONTENT_LENGTH_ABSENT) {
        c.missingContentLength++;
        bodyLength = 0;
      }
      const messageEnd = headerEnd + bodyLength;
      if (messageEnd - start > this.maxMessage) {
        c.oversize++;
        if (messageEnd <= end) {
          start = messageEnd;
          continue;
        }
        stream.discard = messageEnd - end;
        return { next: end, out };
      }
      if (messageEnd > end) return { next: start, out };
      (out ??= []).push(Buffer.from(buf.subarray(start, messageEnd)));
      c.messages++;
      start = messageEnd;
    }
    return { next: start, out };
  }
}
