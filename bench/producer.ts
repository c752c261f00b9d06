// RecordProducer alone: CPU per record the agent's producer spends packing and sending, against the real
// broker (127.0.0.1:9092) on a fresh topic (deleted at the end).
//   npx esbuild bench/producer.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/producer.js --log-level=warning && node dist/bench/producer.js [records]
// records: default 300000, ~800-byte capture records over 5,000 Call-IDs, published as fast as the
// producer takes them (KAFKA_BATCH_MAX 2000, KAFKA_LINGER_MS 20, no compression: the agent's defaults).
// Prints records/s and the process CPU (user+system) per record, which includes kafkajs' own work.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKafka, ensureTopic, RecordProducer } from '@sipcap/bus';
import { encodeRecord, sampleRecord } from '@sipcap/record';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300_000);
  const log = pino({ level: 'warn' });
  const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'bench-producer', log });
  const topic = `bench-producer-${randomBytes(4).toString('hex')}`;
  await ensureTopic(kafka, { topic, partitions: 12, log });
  const values = Array.from({ length: 1000 }, (_, i) => {
    const callid = `${randomBytes(8).toString('hex')}-${i}@bench`;
    return { callid, value: encodeRecord(sampleRecord({ callid, msg: Buffer.alloc(700, 0x61) })) };
  });
  const producer = new RecordProducer(kafka, { topic, batchMax: 2000, lingerMs: 20, queueMax: 1_000_000, compression: 'none', log });
  producer.start();
  while (!producer.isConnected) await new Promise((r) => setTimeout(r, 20));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const v = values[i % values.length];
    producer.publish(v.callid, v.value);
    if (producer.queued > 50_000) await producer.flush(60_000);
  }
  await producer.flush(120_000);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const left = producer.queued;
  await producer.stop(1000);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  console.log(
    `records ${n} (unsent ${left}), ${(n / secs).toFixed(0)} records/s, CPU ${((cpu.user + cpu.system) / n).toFixed(2)} µs/record`,
  );
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
