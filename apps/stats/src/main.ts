// stats: a second consumer group on the capture topic that turns the records into SIP KPIs and call
// quality as Prometheus metrics (README.md, "Stats"). Records are keyed by Call-ID, so a call's state
// is partition-local: run more instances and they share the partitions as the writers do.
import { hostname } from 'node:os';
import { loadConfigOrExit, describeConfig, KAFKA_SECURITY_SETTINGS } from '@sipcap/config';
import { startApp, Counter, Gauge } from '@sipcap/telemetry';
import { BatchConsumer, createKafka, explainKafkaFailure, ensureTopic, HeldLagSampler, captureTopicOf } from '@sipcap/bus';
import { KpiMetrics, KpiPipeline, PeerMap } from '@sipcap/sip-stats';

const APP = 'stats';
const config = loadConfigOrExit(
  APP,
  [
    'STATS_PEERS',
    'STATS_RETRANS_WINDOW_S',
    'STATS_CALL_TTL_S',
    'STATS_STATE_MAX_ITEMS',
    'STATS_STATE_MAX_MB',
    'STATS_RTP_CLOCK_HZ',
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_PARTITIONS',
    'KAFKA_REPLICATION_FACTOR',
    'KAFKA_MIN_INSYNC_REPLICAS',
    'KAFKA_GROUP_ID',
    'METRICS_HOST',
    'METRICS_PORT',
    'LOG_LEVEL',
    ...KAFKA_SECURITY_SETTINGS,
  ],
  { defaults: { METRICS_PORT: '9094', KAFKA_GROUP_ID: 'sipcap-stats' } },
);
// In the writers' group it would take their partitions, and the records it read would never be stored.
if (config.KAFKA_GROUP_ID === 'sipcap-db-writer') {
  process.stderr.write(
    `${APP}: invalid setting KAFKA_GROUP_ID="sipcap-db-writer": that is the db-writers' group; stats needs its own (default sipcap-stats)\n`,
  );
  process.exit(2);
}
const peers = new PeerMap(config.STATS_PEERS);

void startApp(
  APP,
  { logLevel: config.LOG_LEVEL, metricsHost: config.METRICS_HOST, metricsPort: config.METRICS_PORT },
  async ({ log, registry, health }) => {
    log.info({ config: describeConfig(config), peers: peers.names }, 'starting');
    const metrics = new KpiMetrics(registry);
    const pipeline = new KpiPipeline({
      peers,
      metrics,
      retransWindowS: config.STATS_RETRANS_WINDOW_S,
      callTtlS: config.STATS_CALL_TTL_S,
      maxItems: config.STATS_STATE_MAX_ITEMS,
      maxBytes: config.STATS_STATE_MAX_MB * 1024 * 1024,
      rtpClockHz: config.STATS_RTP_CLOCK_HZ,
    });
    new Gauge({
      name: 'sipcap_stats_state_items',
      help: 'Calls, transactions and registrations held (STATS_STATE_MAX_ITEMS)',
      registers: [registry],
      collect() {
        this.set(pipeline.state.items);
      },
    });
    new Gauge({
      name: 'sipcap_stats_state_bytes',
      help: 'Estimated bytes of the state held (STATS_STATE_MAX_MB)',
      registers: [registry],
      collect() {
        this.set(pipeline.state.bytes);
      },
    });
    const counted: Record<string, number> = {};
    new Counter({
      name: 'sipcap_stats_records_total',
      help: 'Records read, by kind (sip, rtcp, report, logs, undecodable; replayed: read again after a rebalance, skipped)',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const [kind, n] of Object.entries(pipeline.records)) {
          this.inc({ kind }, n - (counted[kind] ?? 0));
          counted[kind] = n;
        }
      },
    });

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${APP}-${hostname()}`, log, security: config });
    // A refused login or certificate stops the app with the reason (not retried forever).
    await ensureTopic(kafka, { ...captureTopicOf(config), log }).catch((e) => {
      throw explainKafkaFailure(e);
    });
    const consumer = new BatchConsumer(kafka, {
      topic: config.KAFKA_TOPIC,
      groupId: config.KAFKA_GROUP_ID,
      log,
      registry,
      partitionsConsumedConcurrently: 1,
      onAssignment: (partitions) => {
        const before = pipeline.state.items;
        pipeline.assigned(partitions);
        if (before !== pipeline.state.items)
          log.info(
            { partitions, droppedItems: before - pipeline.state.items },
            'partitions left this instance: their call state is dropped (counted)',
          );
      },
    });
    // Handled at once (the KPIs live in memory), so the offsets are committed right behind.
    await consumer.start(async (batch) => pipeline.handle(batch.partition, batch.messages));
    log.info({ topic: config.KAFKA_TOPIC, group: config.KAFKA_GROUP_ID }, 'stats consuming');

    const tick = setInterval(() => pipeline.tick(), 1000);
    // This instance's share of the group's lag (the partitions it holds).
    const lag = new HeldLagSampler({
      kafka,
      groupId: config.KAFKA_GROUP_ID,
      topic: config.KAFKA_TOPIC,
      progress: consumer.progress,
      log,
      registry,
    });
    lag.start();
    health.register('consumer', () => consumer.isRunning || 'consumer not running');

    return async () => {
      clearInterval(tick);
      lag.stop();
      await consumer.stop();
      pipeline.clear();
    };
  },
);
