// hep-agent alone, 1 worker against 2: HEP over UDP in (the C sender of bench/e2e), records acknowledged
// by Kafka out. Per step: what Kafka acknowledged, what was lost, the agent's CPU per message (primary and
// workers together) and messages/s per worker; a full-speed step gives each count's ceiling.
//   bash bench/hep-workers.sh [--workers 1,2] [--rates 10000,20000,30000,40000] [--seconds 10] [--repeat 2]
// Needs Kafka on 127.0.0.1:9092 (bash scripts/kafka.sh start). Results print as a Markdown table.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKafka, ensureTopic } from '@sipcap/bus';
import { AppProcess } from './e2e/app-process';
import { kafkaPids, withChildren } from './e2e/cpu';
import { writeLoadFile } from './e2e/load-file';
import { loadStep } from './e2e/load-step';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const WORKERS = (args.get('workers') ?? '1,2').split(',').map(Number);
const RATES = (args.get('rates') ?? '10000,20000,30000,40000').split(',').map(Number);
const SECONDS = Number(args.get('seconds') ?? 10);
const REPEAT = Number(args.get('repeat') ?? 1);
const FULL_SPEED = Number(args.get('full-speed') ?? 400_000);
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const PARTITIONS = 12;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Row {
  workers: number;
  rate: string;
  sent: number;
  acked: number;
  lost: number;
  ackedPerSecond: number;
  usPerMessage: number;
  perWorkerPerSecond: number;
  agentCpuPct: number;
  kafkaCpuPct: number;
  machinePct: number;
}

async function main(): Promise<void> {
  const work = join('dist/bench/hep-workers', randomBytes(3).toString('hex'));
  mkdirSync(work, { recursive: true });
  const maxCount = Math.max(FULL_SPEED, ...RATES.map((r) => r * SECONDS));
  const load = writeLoadFile(join(work, 'load.bin'), maxCount, `hw${Date.now()}`);
  console.log(`load: ${fmt(load.packets)} unique SIP messages as HEP3, ${fmt(load.avgHep)} bytes on average; ${cpus().length} cores`);
  const kafka = createKafka({ brokers: BROKERS.split(','), clientId: 'bench-hep-workers', log: pino({ level: 'silent' }) });
  const admin = kafka.admin();
  await admin.connect();
  const rows: Row[] = [];
  for (let round = 0; round < REPEAT; round++) {
    for (const workers of WORKERS) {
      const topic = `bench.hep-workers.${randomBytes(4).toString('hex')}`;
      await ensureTopic(kafka, { topic, partitions: PARTITIONS });
      const port = 19_000 + Math.floor(Math.random() * 1000);
      const agent = new AppProcess(`hep-agent x${workers}`, 'hep-agent', {
        HEP_WORKERS: String(workers),
        HEP_LISTEN: `127.0.0.1:${port}`,
        HEP_UDP_RCVBUF: String(64 * 1024 * 1024),
        KAFKA_BROKERS: BROKERS,
        KAFKA_TOPIC: topic,
        KAFKA_PARTITIONS: String(PARTITIONS),
        CAPTURE_ON: '1',
        CAPTURE_FLAG_KEY: `${topic}.flag`,
        LOG_LEVEL: 'info',
      });
      try {
        await agent.metricsPort();
        await new Promise((r) => setTimeout(r, 1000)); // producers connected
        for (const rate of [...RATES, 0]) {
          const count = rate ? rate * SECONDS : FULL_SPEED;
          const base = (await agent.metrics()).get('sipcap_kafka_published_total') ?? 0;
          const step = await loadStep(
            {
              port,
              progress: async () => ((await agent.metrics()).get('sipcap_kafka_published_total') ?? 0) - base,
              pending: async () => (await agent.metrics()).get('sipcap_kafka_queue_records') ?? 0,
              cpuGroups: () => ({ agent: withChildren(agent.child.pid!), kafka: kafkaPids() }),
            },
            {
              sender: 'dist/bench/e2e/sender',
              loadFile: load.path,
              count,
              rate,
              stableMs: 3000,
              drainTimeoutMs: 60_000,
              log: () => undefined,
            },
          );
          // Published: the step's counter delta once everything settled (the workers report every 0.5 s).
          await new Promise((r) => setTimeout(r, 1200));
          const acked = ((await agent.metrics()).get('sipcap_kafka_published_total') ?? 0) - base;
          const busySeconds = step.send.seconds + step.lastRowMs / 1000;
          const agentCpuSeconds = (step.cpu.pct.agent / 100) * step.cpu.seconds;
          const row: Row = {
            workers,
            rate: rate ? fmt(rate) : 'full speed',
            sent: step.send.sent,
            acked,
            lost: step.send.sent - acked,
            ackedPerSecond: acked / busySeconds,
            usPerMessage: acked ? (agentCpuSeconds / acked) * 1e6 : 0,
            perWorkerPerSecond: acked / busySeconds / workers,
            agentCpuPct: step.cpu.pct.agent,
            kafkaCpuPct: step.cpu.pct.kafka ?? 0,
            machinePct: step.cpu.machineBusyPct,
          };
          rows.push(row);
          console.log(
            `${workers} worker(s) ${row.rate.padStart(10)}/s: sent ${fmt(row.sent)}, acked ${fmt(acked)}, lost ${fmt(row.lost)} (${((100 * row.lost) / row.sent).toFixed(2)} %), ` +
              `${fmt(row.ackedPerSecond)}/s (${fmt(row.perWorkerPerSecond)}/s per worker), agent CPU ${row.usPerMessage.toFixed(1)} µs/message, ` +
              `agent ${row.agentCpuPct} % of a core, Kafka ${row.kafkaCpuPct} %, machine ${row.machinePct} % busy`,
          );
        }
      } finally {
        await agent.stop();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    }
  }
  await admin.disconnect();
  console.log(
    '\n| workers | rate | sent | acked by Kafka | lost | acked/s | per worker/s | agent CPU µs/msg | agent CPU | Kafka CPU | machine busy |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.workers} | ${r.rate} | ${fmt(r.sent)} | ${fmt(r.acked)} | ${fmt(r.lost)} (${((100 * r.lost) / r.sent).toFixed(2)} %) | ${fmt(r.ackedPerSecond)} | ${fmt(r.perWorkerPerSecond)} | ${r.usPerMessage.toFixed(1)} | ${r.agentCpuPct} % | ${r.kafkaCpuPct} % | ${r.machinePct} % |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
