// db-writer: a Kafka consumer-group member that stores capture records with delayed, batched,
// idempotent inserts into PostgreSQL or MySQL/MariaDB. Run more of them to write faster.
import { hostname } from 'node:os';
import { loadConfigOrExit, describeConfig, KAFKA_SECURITY_SETTINGS, REDIS_SECURITY_SETTINGS } from '@sipcap/config';
import { redisSecurityOptions } from '@sipcap/capture-flag';
import { AgentReporter } from '@sipcap/fleet';
import { startApp } from '@sipcap/telemetry';
import {
  BatchConsumer,
  createKafka,
  explainKafkaFailure,
  DeadLetterPublisher,
  ensureTopic,
  HeldLagSampler,
  topicEnds,
  captureTopicOf,
} from '@sipcap/bus';
import {
  databaseFreeBytes,
  databaseSize,
  DayWindow,
  DelayedWriter,
  DiskGuard,
  ensureDatabase,
  ensureReportSchema,
  ensureSchema,
  forgetStaleOffsets,
  isStoreError,
  openStore,
  outsideWindowCounter,
  parseRetentionTables,
  ReportTableRouter,
  RetentionPlan,
  retentionProblem,
  TableRouter,
  TableUpkeep,
} from '@sipcap/store';

const APP = 'db-writer';
const config = loadConfigOrExit(
  APP,
  [
    'DB_URL',
    'TABLE_NAME',
    'MT_MODE',
    'HASH_SOURCE',
    'CALL_TABLE_NAME',
    'REGISTRATION_TABLE_NAME',
    'REST_TABLE_NAME',
    'RTCP_TABLE_NAME',
    'REPORT_TABLE_NAME',
    'LOGS_TABLE_NAME',
    'DB_INSERT_MODE',
    'DB_BATCH_SIZE',
    'DB_FLUSH_MS',
    'DB_CONNECTIONS',
    'DB_PARTITION',
    'DB_PARTITION_AHEAD_DAYS',
    'DB_TIME_WINDOW_DAYS',
    'DB_RETENTION_DAYS',
    'DB_RETENTION_TABLES',
    'DEDUP_WINDOW_MS',
    'DEDUP_MAX_KEYS',
    'DB_SIZE_MAX_MB',
    'DB_DISK_MIN_FREE_MB',
    'DB_SIZE_CHECK_S',
    'DB_DISK_FULL_DROP_EXPIRED',
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_DLQ_TOPIC',
    'KAFKA_MAX_RECORD_BYTES',
    'KAFKA_PARTITIONS',
    'KAFKA_REPLICATION_FACTOR',
    'KAFKA_MIN_INSYNC_REPLICAS',
    'KAFKA_GROUP_ID',
    'REDIS_URL',
    'METRICS_HOST',
    'METRICS_PORT',
    'LOG_LEVEL',
    ...KAFKA_SECURITY_SETTINGS,
    ...REDIS_SECURITY_SETTINGS,
  ],
  { defaults: { METRICS_PORT: '9097' } },
);
// A report table has other columns than sip_capture: the two kinds cannot share a table.
const kindTables = { call: config.CALL_TABLE_NAME, registration: config.REGISTRATION_TABLE_NAME, rest: config.REST_TABLE_NAME };
const sipTables = [...new Set([...config.TABLE_NAME.split('|').map((t) => t.trim()), ...Object.values(kindTables).filter(Boolean)])];
for (const v of ['RTCP_TABLE_NAME', 'REPORT_TABLE_NAME', 'LOGS_TABLE_NAME'] as const) {
  if (!sipTables.includes(config[v])) continue;
  process.stderr.write(
    `${APP}: invalid setting ${v}=${JSON.stringify(config[v])}: also in TABLE_NAME; report tables have their own columns\n`,
  );
  process.exit(2);
}
// Days kept per table: DB_RETENTION_DAYS, overridden per template by DB_RETENTION_TABLES.
const templates = [...sipTables, config.RTCP_TABLE_NAME, config.REPORT_TABLE_NAME, config.LOGS_TABLE_NAME];
let retention: RetentionPlan;
try {
  retention = new RetentionPlan({
    defaultDays: config.DB_RETENTION_DAYS,
    templates,
    overrides: parseRetentionTables(config.DB_RETENTION_TABLES, templates),
  });
} catch (e) {
  process.stderr.write(`${APP}: invalid setting ${(e as Error).message}\n`);
  process.exit(2);
}
const retentionIssue = retentionProblem(retention, templates, config.DB_PARTITION === 'day');
if (retentionIssue.error) {
  process.stderr.write(`${APP}: invalid setting DB_RETENTION_DAYS/DB_RETENTION_TABLES: ${retentionIssue.error}\n`);
  process.exit(2);
}

void startApp(
  APP,
  { logLevel: config.LOG_LEVEL, metricsHost: config.METRICS_HOST, metricsPort: config.METRICS_PORT },
  async ({ log, registry, health }) => {
    log.info({ config: describeConfig(config) }, 'starting');
    if (retentionIssue.warning) log.warn(`retention: ${retentionIssue.warning}; they keep everything`);
    // A row's own time picks its dated table only within the window: forged times must not create tables.
    const window = new DayWindow({ pastDays: config.DB_TIME_WINDOW_DAYS, aheadDays: config.DB_PARTITION_AHEAD_DAYS });
    outsideWindowCounter(window, registry);
    const router = new TableRouter({
      tableName: config.TABLE_NAME,
      mode: config.MT_MODE,
      hashSource: config.HASH_SOURCE,
      window,
      retention,
      kindTables,
    });
    const reportRouter = new ReportTableRouter(
      { rtcp: config.RTCP_TABLE_NAME, report: config.REPORT_TABLE_NAME, logs: config.LOGS_TABLE_NAME },
      window,
      retention,
    );

    await ensureDatabase(config.DB_URL);
    const store = await openStore(config.DB_URL, {
      log: (level, msg) => log[level](msg),
      insertMode: config.DB_INSERT_MODE === 1 ? 'delayed' : 'plain',
      partition: config.DB_PARTITION,
      partitionAheadDays: config.DB_PARTITION_AHEAD_DAYS,
      partitionPastDays: config.DB_TIME_WINDOW_DAYS,
      retention,
      // One connection per insert lane, and room for DDL (new tables, partitions) and retention.
      poolSize: config.DB_CONNECTIONS + 2,
    });
    const tables = [...(await ensureSchema(store, router)), ...(await ensureReportSchema(store, reportRouter))];
    log.info({ tables }, 'schema ready');

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${APP}-${hostname()}`, log, security: config });
    // A refused login or certificate stops the app with the reason (not retried forever).
    await ensureTopic(kafka, { ...captureTopicOf(config), log }).catch((e) => {
      throw explainKafkaFailure(e);
    });
    await ensureTopic(kafka, { ...captureTopicOf(config), topic: config.KAFKA_DLQ_TOPIC, partitions: 1, log });
    const stale = await forgetStaleOffsets(store, config.KAFKA_GROUP_ID, config.KAFKA_TOPIC, await topicEnds(kafka, config.KAFKA_TOPIC));
    if (stale.length)
      log.warn(
        { partitions: stale, topic: config.KAFKA_TOPIC },
        'stored offsets were beyond the end of the topic (it was re-created): reset to 0',
      );
    const deadLetters = new DeadLetterPublisher(kafka, {
      topic: config.KAFKA_DLQ_TOPIC,
      sourceTopic: config.KAFKA_TOPIC,
      maxBytes: config.KAFKA_MAX_RECORD_BYTES,
      log,
      registry,
    });
    await deadLetters.connect();

    // Day partitions ahead and retention, hourly; the store takes a lock in the database so one writer does it.
    const upkeep = new TableUpkeep({ store, router, reportRouter, retention, dayPartitions: config.DB_PARTITION === 'day', log, registry });
    // Lack of space: writes pause (retried like an outage, the records wait in Kafka), alerted by
    // sipcap_db_disk_full and the log; DB_SIZE_MAX_MB pauses before the disk is full.
    if (config.DB_DISK_FULL_DROP_EXPIRED && !retention.active)
      log.warn('DB_DISK_FULL_DROP_EXPIRED=1 has no effect: nothing expires (DB_RETENTION_DAYS=0)');
    // MariaDB aborts when it runs out of space rolling back a statement: DB_DISK_MIN_FREE_MB pauses before
    // that. Read once now, so a server without the DISKS plugin stops the writer with the reason.
    if (config.DB_DISK_MIN_FREE_MB > 0) await databaseFreeBytes(config.DB_URL);
    const diskGuard = new DiskGuard({
      log,
      registry,
      maxBytes: config.DB_SIZE_MAX_MB * 1024 * 1024,
      size: () => databaseSize(config.DB_URL),
      minFreeBytes: config.DB_DISK_MIN_FREE_MB * 1024 * 1024,
      free: () => databaseFreeBytes(config.DB_URL),
      checkMs: config.DB_SIZE_CHECK_S * 1000,
      dropExpired: config.DB_DISK_FULL_DROP_EXPIRED && retention.active ? () => upkeep.dropExpired() : undefined,
    });
    diskGuard.start();
    const writer = new DelayedWriter({
      store: diskGuard.wrap(store),
      router,
      reportRouter,
      group: config.KAFKA_GROUP_ID,
      topic: config.KAFKA_TOPIC,
      batchSize: config.DB_BATCH_SIZE,
      flushMs: config.DB_FLUSH_MS,
      lanes: config.DB_CONNECTIONS,
      deadLetter: (letters) => deadLetters.publish(letters),
      // Only a data error is the record's fault (isolated, dead-lettered). A fatal one (schema, permissions,
      // unknown database) needs an operator: retried, so the records wait in Kafka instead of being passed over.
      isRetryable: (e) => !isStoreError(e) || e.kind !== 'data',
      log,
      registry,
      dedup: config.DEDUP_WINDOW_MS > 0 ? { windowMs: config.DEDUP_WINDOW_MS, maxKeys: config.DEDUP_MAX_KEYS } : undefined,
    });
    const consumer = new BatchConsumer(kafka, {
      topic: config.KAFKA_TOPIC,
      groupId: config.KAFKA_GROUP_ID,
      log,
      registry,
      partitionsConsumedConcurrently: config.KAFKA_PARTITIONS,
    });
    await consumer.start((batch) => writer.add(batch.partition, batch.messages));
    log.info(
      { topic: config.KAFKA_TOPIC, group: config.KAFKA_GROUP_ID, db: describeConfig({ DB_URL: config.DB_URL }).DB_URL },
      'db-writer consuming',
    );

    // This writer's share of the lag (the partitions it holds), sampled for the metrics and its report.
    const lag = new HeldLagSampler({
      kafka,
      groupId: config.KAFKA_GROUP_ID,
      topic: config.KAFKA_TOPIC,
      progress: consumer.progress,
      recordsPerMessage: () => (writer.totals.messages > 0 ? writer.totals.records / writer.totals.messages : 1),
      log,
      registry,
    });
    lag.start();
    // A consumer idle for a minute while its partitions have lag (and nothing waits for the database) is replaced.
    consumer.watchStalls(60_000, () => lag.hasStalledWork(60_000));
    // Its report in Redis beside the agents' (sipcap status: the writers table); Redis down never stops writing.
    const reporter = new AgentReporter({
      redisUrl: config.REDIS_URL,
      redisOptions: redisSecurityOptions(config),
      node: `${hostname()}-${process.pid}`, // writers run as replicas: one report each
      app: APP,
      group: config.KAFKA_GROUP_ID,
      captureOn: () => true, // writers do not capture; the field is the agents'
      counters: () => {
        const t = writer.totals;
        return { rowsInserted: t.rowsInserted, insertErrors: t.insertErrors, deadLetters: t.deadLetters };
      },
      gauges: () => {
        const held = lag.latest;
        return {
          partitions: consumer.progress.partitions.length,
          bufferedRows: writer.bufferedRows,
          lastInsertMs: writer.totals.lastInsertMs,
          ...(held && { lagMessages: held.messages, lagRecords: held.records }),
          ...(held?.ageMs !== undefined && { lagSeconds: held.ageMs / 1000 }),
        };
      },
      log,
    });
    await reporter.start();
    upkeep.start();
    health.register('consumer', () => consumer.isRunning || 'consumer not running');

    return async () => {
      lag.stop();
      upkeep.stop();
      await diskGuard.stop();
      // Stop fetching, write what is buffered (each batch then commits its offsets), leave the group.
      await Promise.all([consumer.stop(), writer.stop()]);
      await reporter.stop();
      await deadLetters.disconnect();
      await store.close();
    };
  },
);
