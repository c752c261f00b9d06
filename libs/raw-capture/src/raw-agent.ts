import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { publisherSettings, startAgentRuntime, type AgentRuntime, type CapturedReport } from '@sipcap/agent';
import type { PortRange } from '@sipcap/packet';
import { ipipFilter, mirrorFilter } from './bpf-filter';
import { checkCaptureFile, replayCaptureFile, type ReplaySummary } from './capture-file-source';
import { CaptureStartError } from './capture-start-error';
import type { PublisherSettings } from './decode-worker';
import { registerDecoderMetrics } from './decoder-metrics';
import { FrameIntake } from './frame-intake';
import type { FramePipeline } from './frame-pipeline';
import { InlinePipeline } from './inline-pipeline';
import { IpipStripper } from './ipip-stripper';
import { captureInterfaces, openLiveCapture, type LiveCapture } from './live-capture';
import { RawDecoder } from './raw-decoder';
import type { RawAgentSettings, RawMode } from './raw-settings';
import { SharedCaptureSwitch } from './shared-capture-switch';
import { WorkerPipeline } from './worker-pipeline';

export interface RawAgentOptions {
  app: string;
  mode: RawMode;
  /** Settings already checked with rawSettingsProblem(). */
  config: RawAgentSettings;
  log: Logger;
  registry: Registry;
  health: { register(name: string, check: () => boolean | string): void };
  /** The bundled decode.worker.js, used when RAW_SOCK_CHILDREN > 1. */
  workerFile: string;
  /** After PCAP_FILE is read and decoded; by default the process stops gracefully (flush, exit 0). */
  onFileDone?: (summary: ReplaySummary) => void;
}

/** Largest frame kept from an interface (as tcpdump; GRO hands over frames far above the MTU). */
const SNAPLEN = 262_144;

/**
 * Everything a raw capture agent does, for both modes: checks the source, starts the shared agent
 * runtime (Kafka producer, capture flag, fleet report), builds the decoding pipeline (inline or
 * RAW_SOCK_CHILDREN workers) and opens the live capture or replays PCAP_FILE. Returns the graceful stop:
 * close the source, decode what was read, flush Kafka.
 */
export async function startRawAgent(opts: RawAgentOptions): Promise<() => Promise<void>> {
  // A capture file keeps its own (past) times: the capture-time window applies to live traffic only.
  const o = opts.config.PCAP_FILE === undefined ? opts : { ...opts, config: { ...opts.config, CAPTURE_TIME_WINDOW_S: 0 } };
  const { config: c, log, registry, mode } = o;
  const listen = c.RAW_SOCKET_LISTEN!;
  const ports: PortRange = { from: listen.portFrom, to: listen.portTo };
  const file = c.PCAP_FILE;
  const iface = c.RAW_INTERFACE;

  // The source first: a wrong file or interface is reported before anything connects.
  if (file !== undefined) {
    await checkCaptureFile(file);
    if (iface !== undefined) log.info({ file, iface }, 'PCAP_FILE is set: reading the file, not the interface');
  } else {
    const names = await captureInterfaces();
    if (!names.includes(iface!)) {
      throw new CaptureStartError(
        'no-such-interface',
        `capture interface "${iface}" not found (RAW_INTERFACE); available: ${names.join(', ') || 'none'}`,
      );
    }
  }
  if (mode === 'mirror' && listen.ip !== '0.0.0.0' && listen.ip !== '::') {
    log.info({ ip: listen.ip }, 'mirror mode keeps packets by port only: the IP part of RAW_SOCKET_LISTEN is ignored');
  }

  let live: LiveCapture | undefined;
  let intake: FrameIntake | undefined;
  const runtime: AgentRuntime = await startAgentRuntime({
    app: o.app,
    config: c,
    log,
    registry,
    health: o.health,
    counters: () => ({ framesRead: intake?.frames ?? 0, pcapReceived: live?.totals.received ?? 0, pcapDropped: live?.totals.dropped ?? 0 }),
  });

  let pipeline: FramePipeline | undefined;
  let expireTimer: NodeJS.Timeout | undefined;
  try {
    pipeline = await buildPipeline(o, runtime, ports);
    const ipip = mode === 'ipip' ? new IpipStripper(listen.ip) : undefined;
    if (ipip) expireTimer = setInterval(() => ipip.expire(), 1000);
    intake = new FrameIntake(pipeline, ipip, registry);
    if (file === undefined) {
      const filter = mode === 'ipip' ? ipipFilter(listen.ip) : c.RAW_MONI_BPF_ON ? mirrorFilter(ports, c.RTCP_PORT_RANGE) : '';
      live = await openLiveCapture({
        iface: iface!,
        filter,
        promiscuous: c.PROMISCUOUS_ON,
        bufferBytes: c.PCAP_BUFFER_MB * 1024 * 1024,
        snaplen: SNAPLEN,
        onFrame: intake.handle,
        log,
        registry,
      });
    }
  } catch (e) {
    clearInterval(expireTimer);
    await pipeline?.close();
    await runtime.stop();
    throw e;
  }

  const p = pipeline;
  const handler = intake.handle;
  let replay: Promise<void> | undefined;
  const abort = new AbortController();
  if (file !== undefined) {
    if (!runtime.flag.isOn()) log.warn('capture is off (capture flag): the file is read, but its messages are counted and dropped');
    const producer = runtime.producer;
    const highWater = Math.max(1000, Math.floor(c.KAFKA_QUEUE_MAX / 2));
    // The queue is also bounded in bytes (KAFKA_QUEUE_MAX_BYTES): a file waits at half of either bound.
    const highBytes = Math.floor(c.KAFKA_QUEUE_MAX_BYTES / 2);
    const full = () => producer.queued > highWater || producer.queueBytes > highBytes;
    replay = replayCaptureFile({
      path: file,
      pace: c.PCAP_PACE,
      onFrame: handler,
      // A file can be read faster than Kafka takes it: wait rather than drop.
      room: () =>
        p.room() ??
        (full() ? waitUntil(() => producer.queued <= highWater / 2 && producer.queueBytes <= highBytes / 2, abort.signal) : undefined),
      log,
      signal: abort.signal,
    }).then(
      async (summary) => {
        if (summary.aborted) return;
        await p.drain();
        // A file load waits for Kafka rather than losing records on the way out (the stop flush is bounded).
        while (producer.queued > 0 && !abort.signal.aborted) {
          await producer.flush(5000);
          if (producer.queued > 0) log.warn({ kafkaQueued: producer.queued }, 'waiting for Kafka to take the rest of the capture file');
        }
        log.info(
          {
            file,
            records: summary.records,
            seconds: summary.seconds,
            complete: summary.status.ok,
            kafkaQueued: producer.queued,
            reports: c.RTCP_PORT_RANGE ? { ...runtime.reports.totals } : undefined,
            workerFrames: p instanceof WorkerPipeline ? p.frameCounts() : undefined,
          },
          'capture file read and decoded',
        );
        (o.onFileDone ?? stopProcessGracefully)(summary);
      },
      (e: unknown) => {
        // Publish what was read, then end with a failure code (the graceful stop would exit 0).
        log.error({ err: e, file }, 'reading the capture file failed');
        void p
          .drain()
          .then(() => runtime.stop())
          .finally(() => process.exit(1));
      },
    );
  }
  o.health.register('capture', () => (file !== undefined || live !== undefined ? true : 'capture source not open'));
  log.info(
    {
      mode,
      source: file ?? iface,
      workers: c.RAW_SOCK_CHILDREN,
      ports: `${ports.from}-${ports.to}`,
      rtcpPorts: c.RTCP_PORT_RANGE && `${c.RTCP_PORT_RANGE.from}-${c.RTCP_PORT_RANGE.to}`,
      topic: c.KAFKA_TOPIC,
    },
    `${o.app} ready`,
  );

  return async () => {
    abort.abort();
    live?.close();
    clearInterval(expireTimer);
    await replay;
    await p.drain();
    await p.close();
    await runtime.stop();
  };
}

async function buildPipeline(o: RawAgentOptions, runtime: AgentRuntime, ports: PortRange): Promise<FramePipeline> {
  const c = o.config;
  if (c.RAW_SOCK_CHILDREN <= 1) {
    const rtcp =
      c.RTCP_PORT_RANGE === undefined
        ? undefined
        : {
            ports: c.RTCP_PORT_RANGE,
            maxItems: c.RTCP_SDP_MAX_ITEMS,
            maxBytes: c.RTCP_SDP_MAX_MB * 1024 * 1024,
            ttlMicros: BigInt(c.RTCP_SDP_TTL_S) * 1_000_000n,
            onReport: (r: CapturedReport) => void runtime.reports.capture(r),
          };
    const decoder = new RawDecoder({ ports, rtcp });
    registerDecoderMetrics(o.registry, decoder);
    return new InlinePipeline(decoder, runtime.publisher, {
      maxFrame: SNAPLEN,
      backlogBytes: c.PCAP_BUFFER_MB * 1024 * 1024,
      registry: o.registry,
    });
  }
  const flag = new SharedCaptureSwitch();
  flag.set(runtime.flag.isOn());
  runtime.flag.on('change', (on: boolean) => flag.set(on));
  // The same record settings startAgentRuntime gives the main thread's publisher.
  const publisher: PublisherSettings = publisherSettings(c);
  return WorkerPipeline.start({
    workerFile: o.workerFile,
    workers: c.RAW_SOCK_CHILDREN,
    workerData: { app: o.app, logLevel: c.LOG_LEVEL, node: c.CAPTURE_NODE, ports, publisher, flag: flag.buffer, metricsEveryMs: 1000 },
    sink: runtime.producer,
    log: o.log,
    registry: o.registry,
    maxFrame: SNAPLEN,
    // Frames waiting for the workers are bounded like libpcap's buffer, shared among them.
    maxInFlight: Math.max(8, Math.floor(c.PCAP_BUFFER_MB / c.RAW_SOCK_CHILDREN)),
    onFatal: (e) => {
      o.log.fatal({ err: e }, 'a decoding worker stopped; exiting so the agent is restarted whole');
      o.log.flush?.();
      setTimeout(() => process.exit(1), 100).unref();
    },
  });
}

function waitUntil(done: () => boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (done() || signal.aborted) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}

/**
 * Ends the process the way SIGTERM does (the app's graceful stop: flush Kafka, exit 0). Waits for the
 * app frame to have installed its signal handler, which happens once start-up returned.
 */
export function stopProcessGracefully(): void {
  const attempt = (): void => {
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
    else setTimeout(attempt, 20);
  };
  attempt();
}
