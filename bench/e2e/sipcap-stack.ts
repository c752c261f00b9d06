import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import pino from 'pino';
import type { Admin } from 'kafkajs';
import { createKafka, ensureTopic } from '@sipcap/bus';
import { AppProcess, type Metrics } from './app-process';
import { withChildren } from './cpu';

const quiet = pino({ level: 'silent' });

/** The sipcap knobs a run can turn (the apps' own settings, passed as environment). */
export interface SipcapSettings {
  partitions: number;
  writers: number;
  /** hep-agent settings: KAFKA_BATCH_MAX, KAFKA_LINGER_MS, KAFKA_COMPRESSION, HEP_UDP_RCVBUF, ... */
  agent: Record<string, string>;
  /** db-writer settings: DB_BATCH_SIZE, DB_FLUSH_MS, ... */
  writer: Record<string, string>;
  /** Scheduling priorities (nice values) of the agent and the writers; 0: as any process. */
  agentNice?: number;
  writerNice?: number;
}

export interface SipcapCounts {
  rows: number;
  distinct: number;
  received: number;
  malformed: number;
  captureDropped: number;
  kafkaDropped: number;
  inKafka: number;
  deadLettered: number;
  retries: number;
  skipped: number;
}

function sum(m: Metrics | undefined, key: string): number {
  return m?.get(key) ?? 0;
}

/**
 * One sipcap capture node for one benchmark step: a fresh topic and database, one hep-agent and
 * `writers` db-writers, all torn down (topic deleted, database dropped) by `stop`.
 */
export class SipcapStack {
  agent!: AppProcess;
  writers: AppProcess[] = [];
  private admin!: Admin;
  private db!: pg.Client;
  /** Metrics of writers that were killed (their counters die with them). */
  private lostWriterMetrics: Metrics[] = [];
  readonly topic: string;
  readonly database: string;
  readonly group: string;

  constructor(
    readonly id: string,
    readonly opts: { brokers: string; pgServer: string; hepPort: number; settings: SipcapSettings },
  ) {
    this.topic = `bench.e2e.${id}`;
    this.database = `bench_e2e_${id.replace(/[^a-z0-9]/gi, '_')}`;
    this.group = `bench-e2e-${id}`;
  }

  get dbUrl(): string {
    return `${this.opts.pgServer}/${this.database}`;
  }

  private writerEnv(): Record<string, string> {
    return {
      DB_URL: this.dbUrl,
      KAFKA_BROKERS: this.opts.brokers,
      KAFKA_TOPIC: this.topic,
      KAFKA_DLQ_TOPIC: `${this.topic}.dlq`,
      KAFKA_GROUP_ID: this.group,
      KAFKA_PARTITIONS: String(this.opts.settings.partitions),
      LOG_LEVEL: 'info',
      ...this.opts.settings.writer,
    };
  }

  startWriter(): AppProcess {
    const w = new AppProcess(`db-writer#${this.writers.length + 1}`, 'db-writer', this.writerEnv(), this.opts.settings.writerNice);
    this.writers.push(w);
    return w;
  }

  async start(): Promise<void> {
    const kafka = createKafka({ brokers: this.opts.brokers.split(','), clientId: 'bench-e2e', log: quiet });
    this.admin = kafka.admin();
    await this.admin.connect();
    await ensureTopic(kafka, { topic: this.topic, partitions: this.opts.settings.partitions });
    this.agent = new AppProcess(
      'hep-agent',
      'hep-agent',
      {
        HEP_LISTEN: `127.0.0.1:${this.opts.hepPort}`,
        KAFKA_BROKERS: this.opts.brokers,
        KAFKA_TOPIC: this.topic,
        KAFKA_PARTITIONS: String(this.opts.settings.partitions),
        CAPTURE_ON: '1',
        // A key nobody sets: the agent follows CAPTURE_ON, whatever other users do with the real flag.
        CAPTURE_FLAG_KEY: `bench-e2e-${this.id}-capture`,
        LOG_LEVEL: 'info',
        ...this.opts.settings.agent,
      },
      this.opts.settings.agentNice,
    );
    for (let i = 0; i < this.opts.settings.writers; i++) this.startWriter();
    await Promise.all([this.agent.waitForLog('hep-agent ready'), this.agent.waitForLog('producer connected'), this.agent.metricsPort()]);
    await Promise.all(this.writers.map((w) => w.metricsPort()));
    if (this.writers.length === 0) return;
    this.db = this.dbClient();
    await this.db.connect();
    await this.waitForAssignment();
  }

  private dbClient(): pg.Client {
    const c = new pg.Client({ connectionString: this.dbUrl });
    // The database may be stopped under it (fault case): queries fail and the step reconnects.
    c.on('error', () => undefined);
    return c;
  }

  /** Until the group has every partition assigned (the writers have joined and synced). */
  async waitForAssignment(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await this.admin.describeGroups([this.group]).catch(() => undefined);
      const g = d?.groups[0];
      if (g?.state === 'Stable' && g.members.length >= this.writers.filter((w) => w.running).length) return;
      if (Date.now() > deadline) throw new Error(`consumer group ${this.group} not stable within ${timeoutMs} ms (${g?.state})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Messages stored so far: the writers' offsets table moves in the same transaction as the rows. */
  /**
   * Rows stored so far, from the writers' counters (those of killed writers as last seen): cheap enough to
   * poll every 100 ms, unlike count(*) on a growing table. counts() gives the exact figures at the end.
   */
  async progress(): Promise<number> {
    const alive = await Promise.all(this.writers.filter((w) => w.running).map((w) => w.metrics().catch(() => undefined)));
    return [...this.lostWriterMetrics, ...alive].reduce((n, m) => n + sum(m, 'sipcap_db_rows_inserted_total'), 0);
  }

  /** Records Kafka acknowledged to the agent (the topic's offsets count Kafka messages, each a record batch). */
  async inKafka(): Promise<number> {
    return sum(await this.agent.metrics(), 'sipcap_kafka_published_total');
  }

  /**
   * Whether anything is still on its way: records queued in the agent, or Kafka messages (record batches)
   * beyond what the writers committed in sipcap_offsets. -1 while the database is down (unknown).
   */
  async pending(): Promise<number> {
    const m = this.agent.running ? await this.agent.metrics().catch(() => undefined) : undefined;
    const queued = sum(m, 'sipcap_kafka_queue_records');
    try {
      const r = await this.db.query('SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM sipcap_offsets WHERE topic = $1', [this.topic]);
      const ends = await this.admin.fetchTopicOffsets(this.topic);
      return queued + Math.max(0, ends.reduce((a, o) => a + Number(o.high), 0) - Number(r.rows[0].n));
    } catch {
      return -1;
    }
  }

  async killWriter(i: number): Promise<void> {
    const w = this.writers[i];
    const m = await w.metrics().catch(() => undefined);
    if (m) this.lostWriterMetrics.push(m);
    await w.kill();
  }

  /** After the database came back, the offsets query needs a new connection. */
  async reconnectDb(): Promise<void> {
    await this.db.end().catch(() => undefined);
    this.db = this.dbClient();
    await this.db.connect();
  }

  async counts(): Promise<SipcapCounts> {
    const r = await this.db.query(
      'SELECT count(*)::bigint AS rows, count(DISTINCT (callid, cseq, method))::bigint AS distinct FROM sip_capture',
    );
    const a = await this.agent.metrics();
    const ws = [...this.lostWriterMetrics, ...(await Promise.all(this.writers.filter((w) => w.running).map((w) => w.metrics())))];
    const wsum = (k: string) => ws.reduce((acc, m) => acc + sum(m, k), 0);
    return {
      rows: Number(r.rows[0].rows),
      distinct: Number(r.rows[0].distinct),
      received: sum(a, 'sipcap_hep_received_total'),
      malformed: sum(a, 'sipcap_hep_malformed_total'),
      captureDropped: sum(a, 'sipcap_capture_dropped_total'),
      kafkaDropped: sum(a, 'sipcap_kafka_dropped_total'),
      inKafka: await this.inKafka(),
      deadLettered: wsum('sipcap_db_dead_lettered_total'),
      retries: wsum('sipcap_db_retries_total'),
      skipped: wsum('sipcap_db_rows_skipped_total'),
    };
  }

  pids(): { agent: number[]; writers: number[] } {
    return {
      agent: this.agent?.running ? withChildren(this.agent.child.pid!) : [],
      writers: this.writers.filter((w) => w.running).map((w) => w.child.pid!),
    };
  }

  /** Stops the apps gracefully, deletes the topics and drops the database; logs go to `logDir`. */
  async stop(opts: { keep?: boolean; logDir?: string } = {}): Promise<void> {
    await Promise.all([this.agent?.stop(), ...this.writers.map((w) => w.stop())]);
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      for (const [i, a] of [this.agent, ...this.writers].entries())
        if (a) writeFileSync(`${opts.logDir}/${this.id}-${i}-${a.name.replace('#', '')}.log`, a.output);
    }
    await this.db?.end().catch(() => undefined);
    if (!opts.keep) {
      await this.admin?.deleteTopics({ topics: [this.topic, `${this.topic}.dlq`] }).catch(() => undefined);
      const admin = new pg.Client({ connectionString: `${this.opts.pgServer}/postgres` });
      await admin
        .connect()
        .then(() => admin.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`))
        .catch(() => undefined);
      await admin.end().catch(() => undefined);
    }
    await this.admin?.disconnect().catch(() => undefined);
  }
}
