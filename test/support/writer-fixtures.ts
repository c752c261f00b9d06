import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { KafkaMessage } from 'kafkajs';
import { BatchConsumer, RecordProducer } from '@sipcap/bus';
import { encodeRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { ensureDatabase } from '@sipcap/store';
import { startAgent, type AgentProcess } from './agent-process';
import { sleep } from './apps';
import { quietLog, testKafka, uniqueName } from './kafka';

export type Dialect = 'postgres' | 'mysql';

export const SHARED_SERVER: Record<Dialect, string> = {
  postgres: 'postgres://postgres@127.0.0.1:5432',
  mysql: 'mysql://root@127.0.0.1:3306',
};

/**
 * One test database, `sipcap_it_<random>`, on a shared or private server. Each query opens its own
 * connection, so a server that is stopped and started again between queries does not matter.
 */
export class TestDb {
  readonly name = `sipcap_it_${randomBytes(5).toString('hex')}`;
  readonly url: string;

  constructor(
    readonly dialect: Dialect,
    readonly server = SHARED_SERVER[dialect],
  ) {
    this.url = `${server}/${this.name}`;
  }

  /** Creates the database (the writer would too; the test connects before it). */
  async create(): Promise<this> {
    await ensureDatabase(this.url);
    return this;
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.dialect === 'postgres') {
      const c = new pg.Client({ connectionString: this.url });
      c.on('error', () => undefined);
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end().catch(() => undefined);
      }
    }
    const c = await mysql.createConnection({ uri: this.url, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
    try {
      const [rows] = await c.query(sql, params);
      return rows as T[];
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Rows of sip_capture and distinct Call-IDs (each test record has its own); 0 before the table exists. */
  async counts(): Promise<{ rows: number; callids: number }> {
    try {
      const [r] = await this.query<{ n: string | number; d: string | number }>(
        'SELECT count(*) AS n, count(DISTINCT callid) AS d FROM sip_capture',
      );
      return { rows: Number(r.n), callids: Number(r.d) };
    } catch {
      return { rows: 0, callids: 0 };
    }
  }

  /** Drops the database; PostgreSQL first ends the sessions still in it. */
  async drop(): Promise<void> {
    if (this.dialect === 'postgres') {
      const c = new pg.Client({ connectionString: `${this.server}/postgres` });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    } else {
      const c = await mysql.createConnection({ uri: `${this.server}/` });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${this.name}\``);
      } finally {
        await c.end();
      }
    }
  }
}

/** Starts a db-writer bundle (dist/apps/db-writer) on a topic, group and database; settings suited to tests. */
export function startWriter(db: { url: string }, topic: string, group: string, extra: Record<string, string> = {}): AgentProcess {
  return startAgent('db-writer', {
    DB_URL: db.url,
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: `${topic}-dlq`,
    KAFKA_GROUP_ID: group,
    KAFKA_PARTITIONS: '6',
    DB_BATCH_SIZE: '2000',
    DB_FLUSH_MS: '100',
    ...extra,
  });
}

/** A record whose Call-ID `<run>-<i>` is the unique tag the exactly-once checks count. */
export function taggedRecord(run: string, i: number): CaptureRecord {
  const callid = `${run}-${i}`;
  return sampleRecord({ callid, correlation_id: callid, cseq: `${i} INVITE`, micro_ts: BigInt(Date.now()) * 1000n + BigInt(i % 1000) });
}

/** Publishes records to a topic the way an agent does (batched, keyed by Call-ID, idempotent producer). */
export class Feeder {
  private readonly producer: RecordProducer;
  sent = 0;

  constructor(readonly topic: string) {
    this.producer = new RecordProducer(testKafka('sipcap-test-feeder'), {
      topic,
      batchMax: 2000,
      lingerMs: 5,
      queueMax: 2_000_000,
      compression: 'gzip',
      log: quietLog,
    });
    this.producer.start();
  }

  publish(key: string, value: Buffer): void {
    if (!this.producer.publish(key, value)) throw new Error('feeder queue full');
    this.sent++;
  }

  publishRecord(r: CaptureRecord): void {
    this.publish(r.callid, encodeRecord(r));
  }

  /**
   * Publishes `count` tagged records, `perSecond` of them per second (0: at once), calling `onProgress`
   * after each tick so a test can act mid-stream.
   */
  async feed(run: string, count: number, perSecond = 0, onProgress?: (sent: number) => Promise<void> | void, from = 0): Promise<void> {
    const tickMs = 100;
    const perTick = perSecond > 0 ? Math.max(1, Math.round((perSecond * tickMs) / 1000)) : 5000;
    const t0 = Date.now();
    for (let i = 0; i < count;) {
      const end = Math.min(count, i + perTick);
      for (; i < end; i++) this.publishRecord(taggedRecord(run, from + i));
      await onProgress?.(i);
      if (perSecond > 0) {
        const due = t0 + (i / perSecond) * 1000;
        await sleep(Math.max(0, due - Date.now()));
      } else {
        await this.flush(); // keeps the queue short
      }
    }
  }

  async flush(): Promise<void> {
    await this.producer.flush(60_000);
    if (this.producer.queued > 0) throw new Error(`feeder: ${this.producer.queued} records not accepted by Kafka`);
  }

  async stop(): Promise<void> {
    await this.flush();
    await this.producer.stop();
  }
}

/** Reads a topic's messages as they are (key, value, headers), from the beginning. */
export async function readRaw(topic: string): Promise<{ messages: KafkaMessage[]; stop(): Promise<void> }> {
  const messages: KafkaMessage[] = [];
  const consumer = new BatchConsumer(testKafka(), {
    topic,
    groupId: uniqueName('raw-reader'),
    log: quietLog,
    partitionsConsumedConcurrently: 1,
  });
  await consumer.start(async (b) => {
    messages.push(...b.messages);
  });
  return { messages, stop: () => consumer.stop() };
}
