import { setTimeout as sleep } from 'node:timers/promises';
import { listAgents, type AgentReport } from '@sipcap/fleet';
import { consumerLag } from '@sipcap/bus';
import { summarizeKpis, type PeerKpis } from '@sipcap/sip-stats';
import {
  KAFKA_SECURITY_SETTINGS,
  REDIS_SECURITY_SETTINGS,
  redactUrl,
  type KafkaSecuritySettings,
  type RedisSecuritySettings,
} from '@sipcap/config';
import type { CliIo } from '../cli-io';
import { CliFailure, errorText, UsageError } from '../cli-errors';
import { cliKafka, cliLogger, kafkaFailureText } from '../kafka-connection';
import { loadSettings } from '../load-settings';
import { intOption, noExtraArgs, parseCommandArgs } from '../parse-command-args';
import { cliRedisSecurity, closeRedis, connectRedis } from '../redis-connection';
import { agentRates, type AgentRates } from '../status/agent-rates';
import { whileClusterSettles } from '../status/cluster-settles';
import { printStatus } from '../status/print-status';
import { CHECK_FAILED_EXIT, statusProblems } from '../status/status-check';
import { readFlagReport, type FlagReport } from './capture-command';

const COMMAND = 'status';
/** The app name db-writers report under. */
const WRITER_APP = 'db-writer';

export interface AgentStatus extends AgentRates {
  node: string;
  app: string;
  /** A writer's consumer group. */
  group?: string;
  pid: number;
  host: string;
  captureOn: boolean;
  updatedAt: string;
  startedAt: string;
  /** Age of the newest report when read. */
  ageMs: number;
  /** Older than two report periods: the agent may be stuck or gone (it drops out at three). */
  stale: boolean;
  counters: Record<string, number>;
}

export interface WritersStatus {
  group: string;
  topic: string;
  topicExists: boolean;
  /** Kafka messages after the group's committed offsets (from the brokers; each holds one or more records). */
  lag?: number;
  /** From the writers' reports: records in that lag (estimated) and the age of the oldest unstored message (s). */
  lagRecords?: number;
  lagSeconds?: number;
  partitions?: { partition: number; committed: number; end: number; lag: number }[];
  groupState?: string;
  members?: number;
  /** The brokers that answer, and the topic's partitions short of a copy (in-sync replicas < replicas) or without a leader. */
  brokers?: { nodeId: number; host: string; port: number }[];
  copies?: number;
  underReplicated?: number[];
  offline?: number[];
}

export interface KpisStatus {
  /** The stats instances read (STATS_METRICS_URL), and those that did not answer. */
  sources: string[];
  unreachable: { url: string; message: string }[];
  peers: PeerKpis[];
}

export interface StatusReport {
  flag?: FlagReport;
  agents?: AgentStatus[];
  writers?: WritersStatus;
  /** Each db-writer's own report (Redis): rows, errors, dead letters, last insert, its partitions' lag. */
  writerInstances?: AgentStatus[];
  kpis?: KpisStatus;
  errors: { component: 'redis' | 'kafka'; message: string }[];
}

/** `sipcap status`. */
export async function statusCommand(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, args, {
    json: { type: 'boolean' },
    sample: { type: 'string' },
    check: { type: 'boolean' },
    expect: { type: 'string' },
    'max-lag': { type: 'string' },
    'max-lag-seconds': { type: 'string' },
    'min-agents': { type: 'string' },
  });
  noExtraArgs(COMMAND, positionals, 0);
  const sampleMs = intOption(COMMAND, 'sample', values.sample, 1000, 0, 60_000);
  if (values.expect !== undefined && values.expect !== 'on' && values.expect !== 'off')
    throw new UsageError('--expect takes on or off', COMMAND);
  const expectations = {
    capture: values.expect === undefined ? undefined : values.expect === 'on',
    maxLag: intOption(COMMAND, 'max-lag', values['max-lag'], 100_000, 0, 1_000_000_000),
    maxLagSeconds: intOption(COMMAND, 'max-lag-seconds', values['max-lag-seconds'], 300, 0, 86_400 * 30),
    minAgents: intOption(COMMAND, 'min-agents', values['min-agents'], 1, 0, 100_000),
  };
  const cfg = loadSettings(io, COMMAND, [
    'REDIS_URL',
    'CAPTURE_FLAG_KEY',
    'CAPTURE_ON',
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_GROUP_ID',
    'LOG_LEVEL',
    'STATS_METRICS_URL',
    ...REDIS_SECURITY_SETTINGS,
    ...KAFKA_SECURITY_SETTINGS,
  ]);

  const report: StatusReport = { errors: [] };
  // Redis and Kafka are asked at the same time: a Kafka that does not answer costs its retries only once.
  await Promise.all([
    fleet(cfg.REDIS_URL, cfg.CAPTURE_FLAG_KEY, cfg.CAPTURE_ON, sampleMs, cfg).then(
      (r) => Object.assign(report, r),
      (e) =>
        report.errors.push({
          component: 'redis',
          message: e instanceof CliFailure ? e.message : `Redis at ${redactUrl(cfg.REDIS_URL)}: ${errorText(e)}`,
        }),
    ),
    writers(cfg.KAFKA_BROKERS, cfg.KAFKA_GROUP_ID, cfg.KAFKA_TOPIC, cfg.LOG_LEVEL, cfg).then(
      (w) => (report.writers = w),
      (e) => report.errors.push({ component: 'kafka', message: kafkaFailureText(cfg.KAFKA_BROKERS, e) }),
    ),
    kpis(cfg.STATS_METRICS_URL).then((k) => (report.kpis = k)),
  ]);
  splitWriters(report, cfg.KAFKA_GROUP_ID);

  if (values.json) io.out(JSON.stringify(report, null, 2) + '\n');
  else printStatus(io, report, sampleMs, cfg.REDIS_URL);
  for (const e of report.errors) io.err(`sipcap status: ${e.message}\n`);
  if (report.errors.length > 0) return 1;
  if (values.check) {
    const problems = statusProblems(report, expectations);
    for (const p of problems) io.err(`sipcap status: CHECK FAILED: ${p}\n`);
    if (problems.length > 0) return CHECK_FAILED_EXIT;
  }
  return 0;
}

/** The flag and the agents, with rates from two reads `sampleMs` apart. */
async function fleet(
  redisUrl: string,
  key: string,
  captureOn: boolean,
  sampleMs: number,
  security: RedisSecuritySettings,
): Promise<Pick<StatusReport, 'flag' | 'agents'>> {
  const redis = await connectRedis(redisUrl, undefined, cliRedisSecurity(security));
  try {
    const flag = await readFlagReport(redis, key, captureOn);
    const first = await listAgents(redis);
    let second: AgentReport[] = first;
    if (sampleMs > 0 && first.length > 0) {
      await sleep(sampleMs);
      second = await listAgents(redis);
    }
    const now = Date.now();
    const byId = new Map(first.map((a) => [agentId(a), a]));
    const agents = second.map((later): AgentStatus => {
      const earlier = byId.get(agentId(later));
      const rates = earlier && earlier !== later ? agentRates(earlier, later) : agentRates(later);
      const ageMs = now - Date.parse(later.updatedAt);
      return {
        node: later.node,
        app: later.app,
        group: later.group,
        pid: later.pid,
        host: later.host,
        captureOn: later.captureOn,
        updatedAt: later.updatedAt,
        startedAt: later.startedAt,
        ageMs,
        stale: ageMs > 2 * later.intervalMs,
        counters: later.counters,
        ...rates,
      };
    });
    return { flag, agents };
  } finally {
    await closeRedis(redis);
  }
}

/** The per-peer KPI table from the stats instances' /metrics; one that does not answer is noted (stats is optional). */
async function kpis(urls: string[]): Promise<KpisStatus> {
  const unreachable: KpisStatus['unreachable'] = [];
  const texts = await Promise.all(
    urls.map(async (url) => {
      try {
        const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3000) });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return await r.text();
      } catch (e) {
        unreachable.push({ url, message: errorText(e) });
        return undefined;
      }
    }),
  );
  const read = texts.filter((t): t is string => t !== undefined);
  return { sources: urls.filter((_, i) => texts[i] !== undefined), unreachable, peers: summarizeKpis(read) };
}

/** Writers report to Redis like the agents: their rows go to their own table, their lag beside the group's. */
function splitWriters(r: StatusReport, group: string): void {
  if (!r.agents) return;
  r.writerInstances = r.agents.filter((a) => a.app === WRITER_APP && (a.group === undefined || a.group === group));
  r.agents = r.agents.filter((a) => a.app !== WRITER_APP);
  const live = r.writerInstances.filter((w) => !w.stale);
  if (!r.writers?.topicExists || live.length === 0) return;
  const known = live.filter((w) => w.gauges.lagRecords !== undefined);
  if (known.length > 0) r.writers.lagRecords = known.reduce((n, w) => n + w.gauges.lagRecords, 0);
  const ages = live.map((w) => w.gauges.lagSeconds).filter((s): s is number => s !== undefined);
  if (ages.length > 0) r.writers.lagSeconds = Math.max(...ages);
}

function agentId(a: AgentReport): string {
  return `${a.node}\0${a.app}\0${a.host}\0${a.pid}`;
}

/** The db-writers' consumer group: its lag on the topic and whether it has members. */
async function writers(
  brokers: string[],
  group: string,
  topic: string,
  logLevel: string,
  security: KafkaSecuritySettings,
): Promise<WritersStatus> {
  const kafka = cliKafka(brokers, cliLogger(logLevel), security);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return { group, topic, topicExists: false };
    const [lag, groups, cluster, meta] = await whileClusterSettles(() =>
      Promise.all([
        consumerLag(kafka, group, topic),
        admin.describeGroups([group]),
        admin.describeCluster(),
        admin.fetchTopicMetadata({ topics: [topic] }),
      ]),
    );
    const g = groups.groups[0];
    const parts = meta.topics[0]?.partitions ?? [];
    return {
      brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })).sort((a, b) => a.nodeId - b.nodeId),
      copies: parts.length ? Math.min(...parts.map((p) => p.replicas.length)) : undefined,
      underReplicated: parts
        .filter((p) => p.isr.length < p.replicas.length)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b),
      offline: parts
        .filter((p) => p.leader < 0)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b),
      group,
      topic,
      topicExists: true,
      lag: Number(lag.total),
      partitions: lag.partitions.map((p) => ({
        partition: p.partition,
        committed: Number(p.committed),
        end: Number(p.end),
        lag: Number(p.lag),
      })),
      groupState: g?.state,
      members: g?.members.length ?? 0,
    };
  } finally {
    await admin.disconnect();
  }
}
