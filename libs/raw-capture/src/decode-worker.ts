import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { CapturePublisher, type CapturedMessage, type CapturePublisherOptions } from '@sipcap/agent';
import type { PortRange } from '@sipcap/packet';
import { createLogger } from '@sipcap/telemetry';
import { registerDecoderMetrics } from './decoder-metrics';
import { forEachFrame, type FrameBatch } from './frame-batch';
import { RawDecoder } from './raw-decoder';
import { RecordBatchWriter, type RecordBatch } from './record-batch';
import { SharedCaptureSwitch } from './shared-capture-switch';
import type { MetricsSnapshot } from '@sipcap/telemetry';

/** What the publisher needs besides its sink, flag, logger and registry (plain data: it is cloned). */
export type PublisherSettings = Omit<CapturePublisherOptions, 'sink' | 'flag' | 'log' | 'registry'>;

export interface DecodeWorkerData {
  index: number;
  app: string;
  logLevel: string;
  node?: string;
  /** Port filter applied by the decoder (RAW_SOCKET_LISTEN's ports). */
  ports?: PortRange;
  publisher: PublisherSettings;
  /** SharedCaptureSwitch buffer written by the main thread. */
  flag: SharedArrayBuffer;
  metricsEveryMs: number;
}

/** Messages between the main thread and a decoding worker. */
export type ToWorker = ({ t: 'frames' } & FrameBatch) | { t: 'drain' };
export type FromWorker =
  | { t: 'ready' }
  | { t: 'done'; frames: ArrayBuffer; records: RecordBatch | undefined }
  | { t: 'metrics'; metrics: MetricsSnapshot }
  | { t: 'drained' };

/**
 * The body of a decoding worker thread (apps/<agent>/src/decode.worker.ts calls it): takes batches of
 * frames, decodes them (fragments and TCP streams of its flows), parses the SIP, builds and encodes the
 * capture records, and sends them back in one batch per frame batch, in order. The main thread owns the
 * Kafka producer; the capture flag comes through shared memory; metrics are sent every second.
 */
export function runDecodeWorker(): void {
  const port = parentPort;
  if (isMainThread || port === null) throw new Error('runDecodeWorker() runs in a worker thread');
  const data = workerData as DecodeWorkerData;
  const log = createLogger(data.app, data.logLevel, { worker: data.index, ...(data.node ? { node: data.node } : {}) });
  const registry = new Registry();
  const decoder = new RawDecoder({ ports: data.ports });
  registerDecoderMetrics(registry, decoder);
  const records = new RecordBatchWriter();
  const publisher = new CapturePublisher({
    ...data.publisher,
    sink: {
      publish(key: string, value: Buffer): boolean {
        records.append(key, value);
        return true;
      },
    },
    flag: new SharedCaptureSwitch(data.flag),
    log,
    registry,
  });
  let errorsLogged = 0;
  const emit = (m: CapturedMessage): void => {
    publisher.capture(m);
  };
  const onFrame = (linktype: number, frame: Buffer, ts: number): void => {
    try {
      decoder.decode(linktype, frame, BigInt(ts), emit);
    } catch (e) {
      // Decoders never throw on bad input; this is a bug. Keep going, but say so.
      if (errorsLogged++ < 10) log.error({ err: e }, 'error while decoding a frame');
    }
  };
  const post = (msg: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);
  const sendMetrics = async (): Promise<void> => post({ t: 'metrics', metrics: await registry.getMetricsAsJSON() });

  port.on('message', (msg: ToWorker) => {
    if (msg.t === 'frames') {
      forEachFrame(msg, onFrame);
      const batch = records.take();
      post({ t: 'done', frames: msg.buffer, records: batch }, batch ? [msg.buffer, batch.buffer] : [msg.buffer]);
    } else if (msg.t === 'drain') {
      // Messages are handled in order: every frame batch sent before this one is done.
      void sendMetrics().then(() => post({ t: 'drained' }));
    }
  });
  setInterval(() => decoder.expire(), 1000).unref();
  setInterval(() => void sendMetrics(), data.metricsEveryMs).unref();
  void sendMetrics().then(() => post({ t: 'ready' }));
}
