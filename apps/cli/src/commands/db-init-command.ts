import { captureTopicOf, ensureTopic } from '@sipcap/bus';
import { KAFKA_SECURITY_SETTINGS, redactUrl } from '@sipcap/config';
import { dialectOf } from '@sipcap/schema';
import {
  ensureDatabase,
  ensureReportSchema,
  ensureSchema,
  OFFSETS_TABLE,
  openStore,
  ReportTableRouter,
  TableRouter,
  type Store,
} from '@sipcap/store';
import type { CliIo } from '../cli-io';
import { errorText, UsageError } from '../cli-errors';
import { isPartitioned, openDbClient, tableExists } from '../db/db-client';
import { dbFailureText } from '../db/db-failure';
import { cliKafka, cliLogger, kafkaFailureText } from '../kafka-connection';
import { loadSettings } from '../load-settings';
import { noExtraArgs, parseCommandArgs } from '../parse-command-args';

const COMMAND = 'db init';

/**
 * `sipcap db init`: the database, today's capture tables (sip_capture and the report tables rtcp_capture,
 * report_capture, logs_capture) and the offsets table, the capture topic and
 * the dead-letter topic. Everything is created only when missing, so it is safe to run on every start.
 * A failing part does not stop the other; the exit code is 1 when any failed.
 */
export async function dbInitCommand(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, args, { 'skip-db': { type: 'boolean' }, 'skip-kafka': { type: 'boolean' } });
  noExtraArgs(COMMAND, positionals, 0);
  const cfg = loadSettings(io, COMMAND, [
    'DB_URL',
    'TABLE_NAME',
    'CALL_TABLE_NAME',
    'REGISTRATION_TABLE_NAME',
    'REST_TABLE_NAME',
    'RTCP_TABLE_NAME',
    'REPORT_TABLE_NAME',
    'LOGS_TABLE_NAME',
    'DB_PARTITION',
    'DB_PARTITION_AHEAD_DAYS',
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_DLQ_TOPIC',
    'KAFKA_PARTITIONS',
    'KAFKA_REPLICATION_FACTOR',
    'KAFKA_MIN_INSYNC_REPLICAS',
    'LOG_LEVEL',
    ...KAFKA_SECURITY_SETTINGS,
  ]);
  dialectOf(cfg.DB_URL); // refuses a DB_URL of another scheme before Kafka or the database is touched
  let router: TableRouter;
  try {
    router = new TableRouter({
      tableName: cfg.TABLE_NAME,
      kindTables: { call: cfg.CALL_TABLE_NAME, registration: cfg.REGISTRATION_TABLE_NAME, rest: cfg.REST_TABLE_NAME },
    });
  } catch (e) {
    throw new UsageError(`invalid setting TABLE_NAME=${JSON.stringify(cfg.TABLE_NAME)}: ${errorText(e)}`, COMMAND);
  }
  let reportRouter: ReportTableRouter;
  try {
    reportRouter = new ReportTableRouter({ rtcp: cfg.RTCP_TABLE_NAME, report: cfg.REPORT_TABLE_NAME, logs: cfg.LOGS_TABLE_NAME });
  } catch (e) {
    throw new UsageError(`invalid setting RTCP_TABLE_NAME, REPORT_TABLE_NAME or LOGS_TABLE_NAME: ${errorText(e)}`, COMMAND);
  }

  let failed = false;
  if (!values['skip-db']) {
    try {
      await initDatabase(io, cfg.DB_URL, router, reportRouter, cfg.DB_PARTITION, cfg.DB_PARTITION_AHEAD_DAYS);
    } catch (e) {
      failed = true;
      io.err(`sipcap db init: ${dbFailureText(cfg.DB_URL, e)}\n`);
    }
  }
  if (!values['skip-kafka']) {
    try {
      const kafka = cliKafka(cfg.KAFKA_BROKERS, cliLogger(cfg.LOG_LEVEL), cfg);
      for (const topic of [cfg.KAFKA_TOPIC, cfg.KAFKA_DLQ_TOPIC]) {
        const r = await ensureTopic(kafka, { ...captureTopicOf(cfg), topic });
        const note =
          !r.created && r.partitions < cfg.KAFKA_PARTITIONS
            ? `; fewer than KAFKA_PARTITIONS=${cfg.KAFKA_PARTITIONS}: at most ${r.partitions} db-writers share the work`
            : '';
        io.out(`topic ${topic}: ${r.created ? 'created' : 'exists'} (${r.partitions} partitions${note})\n`);
      }
    } catch (e) {
      failed = true;
      io.err(`sipcap db init: ${kafkaFailureText(cfg.KAFKA_BROKERS, e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function initDatabase(
  io: CliIo,
  dbUrl: string,
  router: TableRouter,
  reportRouter: ReportTableRouter,
  partition: 'none' | 'day',
  aheadDays: number,
): Promise<void> {
  const url = new URL(dbUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const createdDb = await ensureDatabase(dbUrl);
  io.out(`database ${name} on ${redactUrl(`${url.protocol}//${url.host}`)}: ${createdDb ? 'created' : 'exists'}\n`);

  const now = Date.now();
  const tables = [...router.tablesAt(now), ...reportRouter.tablesAt(now), OFFSETS_TABLE];
  const db = await openDbClient(dbUrl);
  let store: Store | undefined;
  try {
    const before = new Map<string, boolean>();
    for (const t of tables) before.set(t, await tableExists(db, t));
    const notes: string[] = [];
    store = await openStore(dbUrl, {
      partition,
      partitionAheadDays: aheadDays,
      poolSize: 1,
      log: (level, msg) => {
        if (level === 'warn' || level === 'error') notes.push(msg);
      },
    });
    await ensureSchema(store, router);
    await ensureReportSchema(store, reportRouter, new Date(now));
    for (const t of tables) {
      const kind = t !== OFFSETS_TABLE && (await isPartitioned(db, t)) ? ' (partitioned by day)' : '';
      const state = before.get(t) ? 'exists' : (await tableExists(db, t)) ? 'created' : 'missing';
      io.out(`table ${t}: ${state}${kind}\n`);
    }
    for (const n of notes) io.err(`sipcap db init: note: ${n}\n`);
  } finally {
    await store?.close().catch(() => undefined);
    await db.close();
  }
}
