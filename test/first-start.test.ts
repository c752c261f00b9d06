// A first start on a fresh broker: topics just created have no partition leader for a moment, and the
// commands that create them must wait for leaders instead of failing ("This server does not host this
// topic-partition" once stopped `npm start` on a fresh machine). A broker of its own with empty storage,
// started and used at once, removed at the end.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, ensureTopic, RecordProducer, topicEnds } from '@sipcap/bus';
import { encodeRecord, sampleRecord } from '@sipcap/record';
import { buildApp } from './support/agent-process';
import { quietLog, uniqueName, waitFor } from './support/kafka';

const PORT = 19392;
const env = { ...process.env, KAFKA_INSTANCE: 'test-first-start', KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1) };
const kafkaSh = (cmd: string) => execFileSync('bash', ['scripts/kafka.sh', cmd], { env, stdio: 'pipe' });
const CLI = join(__dirname, '..', 'dist/apps/cli/main.js');

function cli(args: string[], settings: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...settings } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('first start on a fresh broker', () => {
  beforeAll(() => {
    buildApp('cli');
    kafkaSh('reset');
  }, 120_000);
  afterAll(() => void kafkaSh('reset'), 60_000);

  it('sipcap db init creates both topics on a broker that has just formatted its storage, and they serve at once', async () => {
    kafkaSh('start');
    const topic = uniqueName('first');
    const r = await cli(['db', 'init', '--skip-db'], {
      KAFKA_BROKERS: `127.0.0.1:${PORT}`,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_PARTITIONS: '12',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`topic ${topic}: created (12 partitions)`);
    expect(r.stdout).toContain(`topic ${topic}.dlq: created (12 partitions)`);
  });

  it('every topic ensureTopic returns serves offsets and takes records right away', async () => {
    const kafka = createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: 'first-start-test', log: quietLog });
    for (let i = 0; i < 5; i++) {
      const topic = uniqueName(`first-${i}`);
      const made = await ensureTopic(kafka, { topic, partitions: 12 });
      expect(made).toEqual({ created: true, partitions: 12, copies: 1 });
      const ends = await topicEnds(kafka, topic);
      expect([...ends.keys()].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      const producer = new RecordProducer(kafka, { topic, batchMax: 100, lingerMs: 5, queueMax: 1000, compression: 'none', log: quietLog });
      producer.start();
      for (let k = 0; k < 24; k++) producer.publish(`call-${k}`, encodeRecord(sampleRecord({ callid: `call-${k}` })));
      // Records travel packed in record batches (one Kafka message per partition and request).
      await waitFor(
        'the records taken by the new topic',
        async () => {
          const total = [...(await topicEnds(kafka, topic)).values()].reduce((a, b) => a + b, 0n);
          return producer.queued === 0 && total > 0n ? true : undefined;
        },
        30_000,
        100,
      );
      await producer.stop();
    }
  });
});
