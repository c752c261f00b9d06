import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RecordSink } from '@sipcap/agent';
import type { DecodeWorkerData, FromWorker, ToWorker } from './decode-worker';
import { workerFor } from './flow-hash';
import { FrameBatchWriter, FRAME_HEADER_SIZE } from './frame-batch';
import type { FramePipeline } from './frame-pipeline';
import { forEachRecord } from './record-batch';
import { totalsCounter, readGauge } from './totals-metrics';
import { WorkerMetricsBridge } from '@sipcap/telemetry';

export interface WorkerPipelineOptions {
  /** The bundled worker script (apps/<agent>/src/decode.worker.ts, built next to main.js). */
  workerFile: string;
  workers: number;
  workerData: Omit<DecodeWorkerData, 'index'>;
  /** The Kafka producer: records come back from the workers and are published here, in order. */
  sink: RecordSink;
  log: Logger;
  registry: Registry;
  /** A worker died: the agent cannot go on without its share of the flows. */
  onFatal: (err: Error) => void;
  /** Longest frame (the snap length). */
  maxFrame?: number;
  /** A batch is sent once it holds this many bytes (default 128 KiB)... */
  batchBytes?: number;
  /** ...or this long after its first frame (default 5 ms). */
  flushMs?: number;
  /** Batches a worker may have waiting; beyond, live frames are dropped and counted (default 32). */
  maxInFlight?: number;
}

interface Slot {
  index: number;
  worker: Worker;
  writer: FrameBatchWriter;
  inFlight: number;
  frames: number;
  drained?: () => void;
}

/**
 * RAW_SOCK_CHILDREN > 1: the main thread reads frames and routes each to a worker by a hash of its IP
 * address pair (both directions and all fragments of a flow meet on one worker, in capture order).
 * Frames travel in batches (one transferred ArrayBuffer every few milliseconds, recycled on return);
 * the workers decode, parse and encode, and send the encoded records back to be published here.
 */
export class WorkerPipeline implements FramePipeline {
  readonly wantsHash = true;
  private readonly slots: Slot[] = [];
  private readonly bridge: WorkerMetricsBridge;
  private readonly batchBytes: number;
  private readonly flushMs: number;
  private readonly maxInFlight: number;
  private timer: NodeJS.Timeout | undefined;
  private roomWaiters: (() => void)[] = [];
  private closing = false;
  private started = false;
  private dropped = 0;
  private published = 0;

  private constructor(private readonly o: WorkerPipelineOptions) {
    this.bridge = new WorkerMetricsBridge(o.registry);
    this.batchBytes = o.batchBytes ?? 128 * 1024;
    this.flushMs = o.flushMs ?? 5;
    this.maxInFlight = o.maxInFlight ?? 32;
    totalsCounter(
      o.registry,
      'sipcap_raw_worker_dropped_total',
      'Frames dropped because the decoding workers were behind',
      () => this.dropped,
    );
    totalsCounter(
      o.registry,
      'sipcap_raw_worker_records_total',
      'Encoded records received from the decoding workers',
      () => this.published,
    );
    totalsCounter(o.registry, 'sipcap_raw_worker_frames_total', 'Frames routed to each decoding worker', {
      label: 'worker',
      read: () => Object.fromEntries(this.slots.map((s) => [String(s.index), s.frames])),
    });
    readGauge(o.registry, 'sipcap_raw_worker_batches_in_flight', 'Frame batches sent to workers and not yet done', () =>
      this.slots.reduce((n, s) => n + s.inFlight, 0),
    );
  }

  /** Starts the workers and resolves once each has said it is ready. */
  static async start(o: WorkerPipelineOptions): Promise<WorkerPipeline> {
    const p = new WorkerPipeline(o);
    const capacity = Math.max(1024 * 1024, (o.maxFrame ?? 262_144) + FRAME_HEADER_SIZE);
    await Promise.all(
      Array.from({ length: o.workers }, (_, index) => {
        const worker = new Worker(o.workerFile, { workerData: { ...o.workerData, index } satisfies DecodeWorkerData });
        const slot: Slot = { index, worker, writer: new FrameBatchWriter(capacity), inFlight: 0, frames: 0 };
        p.slots.push(slot);
        return new Promise<void>((resolve, reject) => {
          const timeout = setTimeout(() => reject(new Error(`decoding worker ${index} did not start within 20 s`)), 20_000);
          worker.on('message', (msg: FromWorker) => {
            if (msg.t === 'ready') {
              clearTimeout(timeout);
              resolve();
            } else p.onMessage(slot, msg);
          });
          worker.on('error', (e) => {
            clearTimeout(timeout);
            reject(e);
            if (p.started && !p.closing) o.onFatal(new Error(`decoding worker ${index} failed: ${e.message}`));
          });
          worker.on('exit', (code) => {
            clearTimeout(timeout);
            reject(new Error(`decoding worker ${index} exited (code ${code})`));
            if (p.started && !p.closing) o.onFatal(new Error(`decoding worker ${index} exited (code ${code})`));
          });
        });
      }),
    ).catch(async (e) => {
      await p.close();
      throw e;
    });
    p.started = true;
    o.log.info({ workers: o.workers }, 'decoding workers started');
    return p;
  }

  push(linktype: number, frame: Buffer, tsMicros: number, hash: number): void {
    const slot = this.slots[workerFor(hash, this.slots.length)];
    const w = slot.writer;
    if (!w.append(linktype, frame, tsMicros)) {
      this.send(slot);
      if (!w.append(linktype, frame, tsMicros)) {
        // The worker is behind and this batch is full: drop (live capture cannot wait).
        this.dropped++;
        return;
      }
    }
    slot.frames++;
    if (w.bytes >= this.batchBytes) this.send(slot);
    else this.timer ??= setTimeout(() => this.flushAll(), this.flushMs);
  }

  /** Frames routed to each worker so far. */
  frameCounts(): number[] {
    return this.slots.map((s) => s.frames);
  }

  room(): Promise<void> | undefined {
    if (!this.slots.some((s) => s.inFlight >= this.maxInFlight)) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const slot of this.slots) {
      while (slot.writer.frames > 0) {
        this.send(slot);
        if (slot.writer.frames > 0) await this.room();
      }
    }
    await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            slot.drained = resolve;
            this.post(slot, { t: 'drain' });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private flushAll(): void {
    this.timer = undefined;
    for (const slot of this.slots) this.send(slot);
  }

  /** Sends the slot's batch unless the worker already has its fill (the batch then waits for a 'done'). */
  private send(slot: Slot): void {
    if (slot.inFlight >= this.maxInFlight) return;
    const batch = slot.writer.take();
    if (batch === undefined) return;
    slot.inFlight++;
    this.post(slot, { t: 'frames', ...batch }, [batch.buffer]);
  }

  private post(slot: Slot, msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    slot.worker.postMessage(msg, transfer);
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    switch (msg.t) {
      case 'done': {
        slot.inFlight--;
        slot.writer.recycle(msg.frames);
        if (msg.records) {
          const sink = this.o.sink;
          forEachRecord(msg.records, (key, value) => {
            sink.publish(key, value);
          });
          this.published += msg.records.count;
        }
        // A batch held back while the worker was full goes now.
        if (slot.writer.frames > 0 && slot.drained === undefined) this.send(slot);
        if (this.roomWaiters.length > 0 && !this.slots.some((s) => s.inFlight >= this.maxInFlight)) {
          const waiters = this.roomWaiters;
          this.roomWaiters = [];
          for (const w of waiters) w();
        }
        break;
      }
      case 'metrics':
        this.bridge.update(slot.index, msg.metrics);
        break;
      case 'drained':
        slot.drained?.();
        slot.drained = undefined;
        break;
      default:
        break;
    }
  }
}
