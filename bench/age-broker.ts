// Ages the local broker the way a day of tests and benchmarks does, so bench/e2e can be run against a broker
// that "already holds 200+ partitions and a few GB" (issue 18): topics bench.aged.<n> of 12 partitions each,
// filled with incompressible data, and kept (remove them with `bash scripts/kafka.sh reset`).
//   npx esbuild bench/age-broker.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/age-broker.js --log-level=warning && node dist/bench/age-broker.js [--partitions 216] [--gigabytes 2.5]
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKafka, ensureTopic } from '@sipcap/bus';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const PARTITIONS = Number(args.get('partitions') ?? 216);
const GIGABYTES = Number(args.get('gigabytes') ?? 2.5);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PER_TOPIC = 12;
const VALUE_BYTES = 256 * 1024;

async function main(): Promise<void> {
  const kafka = createKafka({ brokers: BROKERS, clientId: 'bench-age-broker', log: pino({ level: 'silent' }) });
  const topics = Array.from({ length: Math.ceil(PARTITIONS / PER_TOPIC) }, (_, i) => `bench.aged.${i}`);
  for (const topic of topics) await ensureTopic(kafka, { topic, partitions: PER_TOPIC });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = randomBytes(VALUE_BYTES);
  const total = Math.ceil((GIGABYTES * 1024 ** 3) / VALUE_BYTES);
  const started = Date.now();
  for (let sent = 0, i = 0; sent < total; i++) {
    const n = Math.min(32, total - sent);
    const topic = topics[i % topics.length];
    await producer.send({ topic, acks: 1, messages: Array.from({ length: n }, (_, j) => ({ partition: (i + j) % PER_TOPIC, value })) });
    sent += n;
    if (i % 40 === 0) process.stdout.write(`\r${((sent * VALUE_BYTES) / 1024 ** 3).toFixed(2)} GB of ${GIGABYTES} GB`);
  }
  await producer.disconnect();
  const s = (Date.now() - started) / 1000;
  console.log(`\n${topics.length} topics, ${topics.length * PER_TOPIC} partitions, ${GIGABYTES} GB written in ${s.toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
