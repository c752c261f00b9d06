import type { CapturedMessage } from '@sipcap/agent';
import type { Registry } from 'prom-client';
import { forEachFrame, FrameBatchWriter, FRAME_HEADER_SIZE, type FrameBatch } from './frame-batch';
import type { FramePipeline } from './frame-pipeline';
import type { RawDecoder } from './raw-decoder';
import { readGauge, totalsCounter } from './totals-metrics';

export interface InlinePipelineOptions {
  /** Longest frame (the snap length). */
  maxFrame?: number;
  /** Bytes of captured frames held waiting for the decoder; beyond, live frames are dropped and counted (default 64 MiB). */
  backlogBytes?: number;
  /** Longest stretch of decoding before the event loop gets a turn (default 5 ms). */
  sliceMs?: number;
  registry?: Registry;
}

const BATCH_BYTES = 1024 * 1024;

/**
 * RAW_SOCK_CHILDREN=1: decode, parse and publish in the capturing thread. Frames are copied into 1 MiB
 * batches and decoded in slices of a few milliseconds, one slice per turn of the event loop, not inside
 * libpcap's read callback: node_pcap reads until the kernel ring is empty, and decoding there at a high
 * rate kept the loop from ever serving the Kafka producer (it published nothing at 20,000 frames/s here).
 * The backlog takes over the role of libpcap's buffer and is bounded like it (PCAP_BUFFER_MB).
 */
export class InlinePipeline implements FramePipeline {
  readonly wantsHash = false;
  private readonly emit: (m: CapturedMessage) => void;
  private readonly onFrame: (linktype: number, frame: Buffer, ts: number) => void;
  private readonly timer: NodeJS.Timeout;
  private readonly writer: FrameBatchWriter;
  private readonly pending: FrameBatch[] = [];
  /** The batch being decoded and how far. */
  private current: FrameBatch | undefined;
  private offset = 0;
  private readonly maxPending: number;
  private readonly sliceMs: number;
  private scheduled = false;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private dropped = 0;

  constructor(decoder: RawDecoder, publisher: { capture(m: CapturedMessage): unknown }, o: InlinePipelineOptions = {}) {
    this.emit = (m) => {
      publisher.capture(m);
    };
    this.onFrame = (linktype, frame, ts) => decoder.decode(linktype, frame, BigInt(ts), this.emit);
    const capacity = Math.max(BATCH_BYTES, (o.maxFrame ?? 262_144) + FRAME_HEADER_SIZE);
    this.writer = new FrameBatchWriter(capacity);
    this.maxPending = Math.max(2, Math.floor((o.backlogBytes ?? 64 * 1024 * 1024) / capacity));
    this.sliceMs = o.sliceMs ?? 5;
    this.timer = setInterval(() => decoder.expire(), 1000);
    this.timer.unref();
    if (o.registry) {
      totalsCounter(
        o.registry,
        'sipcap_raw_backlog_dropped_total',
        'Frames dropped because decoding was behind capture (the backlog was full)',
        () => this.dropped,
      );
      readGauge(
        o.registry,
        'sipcap_raw_backlog_batches',
        'Batches of captured frames (1 MiB) waiting to be decoded',
        () => this.pending.length,
      );
    }
  }

  push(linktype: number, frame: Buffer, tsMicros: number): void {
    const w = this.writer;
    if (!w.append(linktype, frame, tsMicros)) {
      this.seal();
      if (!w.append(linktype, frame, tsMicros)) {
        this.dropped++;
        return;
      }
    }
    this.schedule();
  }

  room(): Promise<void> | undefined {
    if (this.pending.length < this.maxPending / 2) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  async drain(): Promise<void> {
    if (!this.scheduled && this.current === undefined && this.pending.length === 0 && this.writer.frames === 0) return;
    this.schedule();
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }

  /** Queues the batch being filled, unless the backlog is full (it then fills up and frames drop). */
  private seal(): void {
    if (this.pending.length >= this.maxPending) return;
    const batch = this.writer.take();
    if (batch) this.pending.push(batch);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  /** Decodes for at most sliceMs, then lets the event loop turn. */
  private run(): void {
    this.scheduled = false;
    const deadline = performance.now() + this.sliceMs;
    for (;;) {
      if (this.current === undefined) {
        if (this.pending.length === 0) this.seal(); // nothing queued: take the frames gathered so far
        this.current = this.pending.shift();
        this.offset = 0;
        if (this.current === undefined) break;
      }
      this.offset = forEachFrame(this.current, this.onFrame, this.offset, deadline);
      if (this.offset < this.current.used) break; // out of time
      this.writer.recycle(this.current.buffer);
      this.current = undefined;
      if (performance.now() > deadline) break;
    }
    if (this.roomWaiters.length > 0 && this.pending.length < this.maxPending / 2) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
    if (this.current !== undefined || this.pending.length > 0 || this.writer.frames > 0) this.schedule();
    else if (this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
