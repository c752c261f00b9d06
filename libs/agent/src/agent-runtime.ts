import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createKafka, RecordProducer } from '@sipcap/bus';
import { KAFKA_SECURITY_SETTINGS, REDIS_SECURITY_SETTINGS, type Settings } from '@sipcap/config';
import { CapturePublisher } from './capture-publisher';
import { ReportPublisher } from './report-publisher';
import { startAgentControl, type WatchedSwitch } from './agent-control';
import { ensureCaptureTopic } from './capture-topic';

/** The settings every capture agent reads. */
export const AGENT_SETTINGS = [
  'CAPTURE_ON',
  'CAPTURE_FLAG_KEY',
  'REDIS_URL',
  'CAPTURE_NODE',
  'CALLID_ALEG_HEADER',
  'CUSTOM_FIELD1_HEADER',
  'CUSTOM_FIELD2_HEADER',
  'CUSTOM_FIELD3_HEADER',
  'CAPTURE_BAD_MSGS',
  'CAPTURE_TIME_WINDOW_S',
  'FILTER_DISCARD_METHODS',
  'FILTER_DISCARD_CODES',
  'FILTER_DISCARD_SRC',
  'FILTER_DISCARD_DST',
  'FILTER_DISCARD_UA',
  'FILTER_CENSOR_METHODS',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC',
  'KAFKA_PARTITIONS',
  'KAFKA_REPLICATION_FACTOR',
  'KAFKA_MIN_INSYNC_REPLICAS',
  'KAFKA_COMPRESSION',
  'KAFKA_BATCH_MAX',
  'KAFKA_LINGER_MS',
  'KAFKA_QUEUE_MAX',
  'KAFKA_QUEUE_MAX_BYTES',
  'KAFKA_MAX_RECORD_BYTES',
  'KAFKA_FLUSH_TIMEOUT_MS',
  'METRICS_HOST',
  'METRICS_PORT',
  'LOG_LEVEL',
  'REDIS_SET_KEYSPACE_EVENTS',
  ...KAFKA_SECURITY_SETTINGS,
  ...REDIS_SECURITY_SETTINGS,
] as const satisfies readonly (keyof Settings)[];

export type AgentSettings = Pick<Settings, (typeof AGENT_SETTINGS)[number]>;

/** How records are derived, from the agent's settings (shared by the main thread and decode workers). */
export function publisherSettings(c: AgentSettings) {
  return {
    captureNode: c.CAPTURE_NODE,
    callidAlegHeaders: c.CALLID_ALEG_HEADER,
    customHeaders: [c.CUSTOM_FIELD1_HEADER, c.CUSTOM_FIELD2_HEADER, c.CUSTOM_FIELD3_HEADER] as [string?, string?, string?],
    captureBadMsgs: c.CAPTURE_BAD_MSGS,
    captureTimeWindowS: c.CAPTURE_TIME_WINDOW_S,
    filter: {
      discardMethods: c.FILTER_DISCARD_METHODS,
      discardCodes: c.FILTER_DISCARD_CODES,
      discardSrc: c.FILTER_DISCARD_SRC,
      discardDst: c.FILTER_DISCARD_DST,
      discardUserAgent: c.FILTER_DISCARD_UA,
      censorMethods: c.FILTER_CENSOR_METHODS,
    },
  };
}

export interface AgentRuntime {
  publisher: CapturePublisher;
  /** Non-SIP payloads (RTCP, QoS reports, logs) to report records, on the same producer and flag. */
  reports: ReportPublisher;
  producer: RecordProducer;
  flag: WatchedSwitch;
  /** The counters of this process for the fleet report (`sipcap status`). */
  counters(): Record<string, number>;
  /** Flushes what is queued for Kafka and lets go of Redis. Call after the inputs are closed. */
  stop(): Promise<void>;
}

/**
 * What every capture agent's decoding process needs, wired once: the Kafka producer (topic created when
 * missing) and the publishers. Without `flag` it also starts the agent's control (flag and fleet report);
 * a worker of a multi-process agent gets the flag its primary relays and reports through the primary.
 */
export async function startAgentRuntime(opts: {
  app: string;
  config: AgentSettings;
  log: Logger;
  registry: Registry;
  health: { register(name: string, check: () => boolean | string): void };
  /** Extra counters for `sipcap status` (e.g. packets received). */
  counters?: () => Record<string, number>;
  /** The capture switch relayed by a primary process; none: this process watches Redis itself. */
  flag?: WatchedSwitch;
}): Promise<AgentRuntime> {
  const { config: c, log, registry } = opts;
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${opts.app}-${c.CAPTURE_NODE}`, log, security: c });
  // The workers of a multi-process agent find the topic their primary made sure of.
  if (!opts.flag) await ensureCaptureTopic(kafka, c, log);
  const producer = new RecordProducer(kafka, {
    topic: c.KAFKA_TOPIC,
    batchMax: c.KAFKA_BATCH_MAX,
    lingerMs: c.KAFKA_LINGER_MS,
    queueMax: c.KAFKA_QUEUE_MAX,
    queueMaxBytes: c.KAFKA_QUEUE_MAX_BYTES,
    maxRecordBytes: c.KAFKA_MAX_RECORD_BYTES,
    flushTimeoutMs: c.KAFKA_FLUSH_TIMEOUT_MS,
    compression: c.KAFKA_COMPRESSION,
    log,
    registry,
  });
  producer.start();

  const control = opts.flag ? undefined : await startAgentControl({ app: opts.app, config: c, log, registry });
  const flag: WatchedSwitch = opts.flag ?? control!.flag;

  opts.health.register('kafka', () => producer.isConnected || 'Kafka producer not connected (records are queued)');
  opts.health.register(
    'queue',
    () =>
      (producer.queued < c.KAFKA_QUEUE_MAX && producer.queueBytes < c.KAFKA_QUEUE_MAX_BYTES) ||
      'Kafka queue full: records are being dropped',
  );

  const publisher = new CapturePublisher({
    ...publisherSettings(c),
    sink: producer,
    flag,
    log,
    registry,
  });

  const reports = new ReportPublisher({
    captureNode: c.CAPTURE_NODE,
    sink: producer,
    flag,
    log,
    registry,
    timeWindow: publisher.timeWindow,
  });

  const counters = () => ({
    ...publisher.totals,
    reportsPublished: reports.totals.published,
    reportsDropped: reports.totals.dropped,
    kafkaQueued: producer.queued,
    ...opts.counters?.(),
  });
  control?.reportWith(counters);

  return {
    publisher,
    reports,
    producer,
    flag,
    counters,
    async stop() {
      await producer.stop();
      await control?.stop();
    },
  };
}
