// The pipeline on a replicated Kafka cluster (scripts/kafka.sh start --brokers 3: replication factor 3,
// min.insync.replicas 2): HEP over TCP into a running hep-agent, a running db-writer into PostgreSQL, while
// the broker leading most partitions is SIGKILLed at a quarter, started again at half, and another is
// SIGKILLed at three quarters. Every message should arrive exactly once, without restarting the agent or the writer.
//
// NOT in `npm test`: it FAILS today (issue 18). Three runs on 2026-12-03 stored 59,025, 59,307 and 59,783 of
// 60,000 messages: the agent counted every record acknowledged (published 60,000, every produce request ok,
// no drop), yet the topic held 274 of the 276 Kafka messages it sent and the writer stored all the topic held.
// Acknowledged record batches are missing across the broker kills (kafkajs' idempotent producer and leader
// changes are the suspects). Run it alone: npm test -- --project chaos
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '@sipcap/bus';
import { encodeHep3 } from '@sipcap/hep';
import { buildApp, startAgent, type AgentProcess } from '../support/agent-process';
import { freeTcpUdpPort, sleep, tcpClient } from '../support/apps';
import { quietLog, uniqueName, waitFor } from '../support/kafka';
import { startWriter, TestDb } from '../support/writer-fixtures';

const PORT = 19692;
const BROKERS = [PORT, PORT + 1, PORT + 2].map((p) => `127.0.0.1:${p}`);
const env = { ...process.env, KAFKA_INSTANCE: 'test-cluster', KAFKA_PORT: String(PORT) };
const kafkaSh = (...args: string[]) => execFileSync('bash', ['scripts/kafka.sh', ...args], { env, stdio: 'pipe' }).toString();
const kafkaShAsync = (...args: string[]) => promisify(execFile)('bash', ['scripts/kafka.sh', ...args], { env });

const processes: AgentProcess[] = [];
const databases: TestDb[] = [];

beforeAll(() => {
  buildApp('hep-agent');
  buildApp('db-writer');
  kafkaSh('reset');
  kafkaSh('start', '--brokers', '3');
}, 300_000);

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
  kafkaSh('reset');
}, 120_000);

function hep(run: string, i: number): Buffer {
  const callid = `${run}-${i}`;
  const sip =
    `OPTIONS sip:probe@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${i}\r\nFrom: <sip:a@example.com>;tag=${i}\r\n` +
    `To: <sip:probe@example.com>\r\nCall-ID: ${callid}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  return encodeHep3({
    srcIp: '192.0.2.10',
    dstIp: '198.51.100.20',
    srcPort: 5060,
    dstPort: 5060,
    tsSec: Math.floor(Date.now() / 1000),
    tsUsec: i % 1_000_000,
    captureId: 9,
    payload: Buffer.from(sip),
  });
}

/** The node (1-3) leading most partitions of the topic, and the others. */
async function leaders(topic: string): Promise<Map<number, number>> {
  const admin = createKafka({ brokers: BROKERS, clientId: 'cluster-test', log: quietLog }).admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = new Map<number, number>();
    for (const p of meta.topics[0].partitions) count.set(p.leader, (count.get(p.leader) ?? 0) + 1);
    return count;
  } finally {
    await admin.disconnect();
  }
}

describe('a 3-broker Kafka cluster losing brokers under load', () => {
  it('stores every message exactly once through two broker kills and a restart', async () => {
    const topic = uniqueName('cluster');
    const port = await freeTcpUdpPort();
    const kafka = { KAFKA_BROKERS: BROKERS.join(','), KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: `${topic}.dlq`, KAFKA_PARTITIONS: '6' };
    const agent = startAgent('hep-agent', {
      ...kafka,
      HEP_LISTEN: `127.0.0.1:${port}`,
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('cluster-flag'),
    });
    processes.push(agent);
    await agent.waitForLog('hep-agent ready', 120_000);
    const db = await new TestDb('postgres').create();
    databases.push(db);
    const writerGroup = uniqueName('g-cluster');
    const writer = startWriter(db, topic, writerGroup, kafka);
    processes.push(writer);
    await writer.waitForLog('db-writer consuming', 120_000);
    expect(kafkaSh('status')).toMatch(/under-replicated: 0/);

    const total = 60_000;
    const perSecond = 3_000;
    const run = uniqueName('cl');
    const tcp = await tcpClient(port);
    const t0 = Date.now();
    let first: number | undefined;
    let restart: Promise<unknown> | undefined;
    const events: string[] = [];
    for (let i = 0; i < total; i += 300) {
      await tcp.write(Buffer.concat(Array.from({ length: Math.min(300, total - i) }, (_, k) => hep(run, i + k))));
      const sent = i + 300;
      if (first === undefined && sent >= total / 4) {
        first = [...(await leaders(topic))].sort((a, b) => b[1] - a[1])[0][0];
        kafkaSh('kill-broker', String(first));
        events.push(`killed node ${first} at ${sent}`);
      }
      if (first !== undefined && !restart && sent >= total / 2) {
        restart = kafkaShAsync('start-broker', String(first));
        events.push(`starting node ${first} at ${sent}`);
      }
      if (restart && events.length === 2 && sent >= (total * 3) / 4) {
        await restart; // the restarted node must be up before a second one goes: two of three keep min.insync 2
        const other = [1, 2, 3].find((n) => n !== first)!;
        kafkaSh('kill-broker', String(other));
        events.push(`killed node ${other} at ${sent}`);
      }
      await sleep(Math.max(0, t0 + (sent / perSecond) * 1000 - Date.now()));
    }
    await tcp.end();
    expect(events).toHaveLength(3);

    const counts = await waitFor(
      `${total} rows`,
      async () => {
        const c = await db.counts();
        return c.rows >= total ? c : undefined;
      },
      240_000,
      1000,
    ).catch(async (e: Error) => {
      const metrics = (await (await fetch(`http://127.0.0.1:${await agent.metricsPort()}/metrics`)).text())
        .split('\n')
        .filter((l) => /^sipcap_(kafka|hep_packets|capture_dropped)/.test(l) && !/ 0$/.test(l));
      const wm = (await (await fetch(`http://127.0.0.1:${await writer.metricsPort()}/metrics`)).text())
        .split('\n')
        .filter((l) => /^sipcap_(kafka|db|writer)/.test(l) && !/ 0$/.test(l) && !/_bucket/.test(l));
      const admin = createKafka({ brokers: BROKERS, clientId: 'cluster-test', log: quietLog }).admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topic).catch((x: Error) => x.message);
      const committed = await admin.fetchOffsets({ groupId: writerGroup, topics: [topic] }).catch((x: Error) => x.message);
      await admin.disconnect();
      const stored = await db.query('SELECT * FROM sipcap_offsets');
      throw new Error(
        `${e.message}: ${JSON.stringify(await db.counts())} (${events.join('; ')})\nagent metrics:\n${metrics.join('\n')}\nwriter metrics:\n${wm.join('\n')}\nends ${JSON.stringify(ends)}\ncommitted ${JSON.stringify(committed)}\nstored ${JSON.stringify(stored)}\n${writer
          .output()
          .split('\n')
          .filter((l) => /warn|error|crash|join/i.test(l) && !/ECONNREFUSED/.test(l))
          .slice(-15)
          .join('\n')}`,
      );
    });
    await sleep(3000); // a duplicate would show now
    expect(await db.counts()).toEqual({ rows: total, callids: total });
    expect(counts.rows).toBe(total);
    // Neither app had to be restarted.
    expect(agent.child.exitCode).toBeNull();
    expect(writer.child.exitCode).toBeNull();
  }, 600_000);
});
