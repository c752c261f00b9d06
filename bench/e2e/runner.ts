// The end-to-end capacity and fault benchmark (bench/README.md, "End to end"). Run it with
//   bash bench/e2e/run.sh [--quick] [options]
// which builds the apps, compiles the sender and bundles this file. `--help` lists the options.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SETTINGS } from '@sipcap/config';
import { PrivatePostgres } from '../../test/support/private-postgres';
import { kafkaPids, pidsByComm } from './cpu';
import { ensureKamailio, KamailioStack, type KamailioCounts } from './kamailio-stack';
import { writeLoadFile } from './load-file';
import { loadStep, type CaptureNode, type StepOptions, type StepResult } from './load-step';
import { SipcapStack, type SipcapCounts, type SipcapSettings } from './sipcap-stack';

const HELP = `bench/e2e: sipcap end to end (HEP over UDP -> hep-agent -> Kafka -> db-writer -> PostgreSQL)
against Kamailio's sipcapture (HEP over UDP -> MariaDB), on this machine.

  bash bench/e2e/run.sh [--quick] [options]

  --quick                 about 3 minutes: short steps, short fault cases, no 60 s target run
  --parts LIST            any of sweep,cluster,target,kamailio,burst,faults (default: all); cluster: the
                          sweep again on a private 3-broker cluster (replication factor 3, min.insync 2)
  --rates LIST            sipcap sweep rates per second (default 5000,10000,15000,20000,25000,30000)
  --kamailio-rates LIST   Kamailio sweep rates (default 1000,2000,4000,6000,8000,10000)
  --step-seconds N        seconds per sweep step (default 10; quick 3)
  --target RATE:SECONDS   the target run (default 20000:60)
  --fault RATE:SECONDS    load under each fault case (default 5000:60; quick 3000:12)
  --writers N             db-writers (default 1)
  --partitions N          topic partitions (default 12)
  --agent-nice N          run hep-agent at this nice value (default -10; 0: no priority)
  --writer-nice N         run the db-writers at this nice value (default 0)
  --set NAME=VALUE        an app setting (e.g. --set KAFKA_COMPRESSION=none --set DB_BATCH_SIZE=10000)
  --keep                  keep the databases and topics of the steps (for inspection)
  --no-results            do not write bench/e2e/results/<date>.md
`;

// ---------------------------------------------------------------------------------------------------
// Options

const AGENT_KEYS = new Set([
  'KAFKA_BATCH_MAX',
  'KAFKA_LINGER_MS',
  'KAFKA_COMPRESSION',
  'KAFKA_QUEUE_MAX',
  'HEP_UDP_RCVBUF',
  'CAPTURE_BAD_MSGS',
]);

/** The settings this benchmark found to matter (see bench/README.md); anything else keeps the app default. */
const DEFAULT_SETTINGS: SipcapSettings = {
  partitions: 12,
  writers: 1,
  agent: { HEP_UDP_RCVBUF: String(64 * 1024 * 1024) },
  writer: {},
  // The capture agent ahead of the writers and the databases, as README.md advises (compose: cpu_shares):
  // what it misses is lost, what they delay is not. --agent-nice 0 measures without.
  agentNice: -10,
};

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const o = {
    quick,
    parts: new Set(['sweep', 'cluster', 'target', 'kamailio', 'burst', 'faults']),
    rates: [5000, 10000, 15000, 20000, 25000, 30000],
    kamRates: [1000, 2000, 4000, 6000, 8000, 10000],
    stepSeconds: quick ? 3 : 10,
    target: quick ? undefined : ({ rate: 20000, seconds: 60 } as { rate: number; seconds: number } | undefined),
    fault: quick ? { rate: 3000, seconds: 12 } : { rate: 5000, seconds: 60 },
    burst: 40000,
    settings: structuredClone(DEFAULT_SETTINGS),
    keep: false,
    results: true,
    command: `bash bench/e2e/run.sh ${argv.join(' ')}`.trim(),
  };
  if (quick) {
    o.rates = [5000, 10000];
    o.kamRates = [2000, 4000];
  }
  const pair = (v: string) => v.split(':').map(Number) as [number, number];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--quick') continue;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--parts') o.parts = new Set(v().split(','));
    else if (a === '--rates') o.rates = v().split(',').map(Number);
    else if (a === '--kamailio-rates') o.kamRates = v().split(',').map(Number);
    else if (a === '--step-seconds') o.stepSeconds = Number(v());
    else if (a === '--target') {
      const [rate, seconds] = pair(v());
      o.target = { rate, seconds };
      o.parts.add('target');
    } else if (a === '--fault') {
      const [rate, seconds] = pair(v());
      o.fault = { rate, seconds };
    } else if (a === '--writers') o.settings.writers = Number(v());
    else if (a === '--partitions') o.settings.partitions = Number(v());
    else if (a === '--agent-nice') o.settings.agentNice = Number(v());
    else if (a === '--writer-nice') o.settings.writerNice = Number(v());
    else if (a === '--set') {
      const [k, ...rest] = v().split('=');
      (AGENT_KEYS.has(k) ? o.settings.agent : o.settings.writer)[k] = rest.join('=');
    } else if (a === '--keep') o.keep = true;
    else if (a === '--no-results') o.results = false;
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (!o.target) o.parts.delete('target');
  return o;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

const started = Date.now();
function log(s: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[e2e ${t}s] ${s}\n`);
}

const sh = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(cmd, args, { stdio: 'pipe', env: { ...process.env, ...env } })
    .toString()
    .trim();

/** The same, without blocking the event loop (for fault actions while the step is measured). */
const shAsync = async (cmd: string, args: string[], env: Record<string, string> = {}) =>
  (await promisify(execFile)(cmd, args, { env: { ...process.env, ...env } })).stdout.trim();

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((e) => log(`cleanup: ${(e as Error).message}`));
}

// ---------------------------------------------------------------------------------------------------
// Rows of the report

interface Row {
  section: string;
  label: string;
  engine: 'sipcap' | 'kamailio';
  rateAsked: number;
  step: StepResult;
  rows: number;
  distinct: number;
  lost: number;
  dup: number;
  where: string;
  notes: string;
  ok: boolean;
}

function sipcapRow(section: string, label: string, rate: number, step: StepResult, c: SipcapCounts): Row {
  const sent = step.send.sent;
  const lost = sent - c.distinct;
  const dup = c.rows - c.distinct;
  const agentLost = c.received - c.inKafka;
  const writerLost = c.inKafka - c.distinct;
  const where: string[] = [];
  if (step.socketDrops) where.push(`socket ${fmt(step.socketDrops)}`);
  if (sent - c.received - step.socketDrops) where.push(`not received ${fmt(sent - c.received - step.socketDrops)}`);
  if (agentLost)
    where.push(
      `agent ${fmt(agentLost)} (kafka dropped ${fmt(c.kafkaDropped)}, capture dropped ${fmt(c.captureDropped)}, malformed ${fmt(c.malformed)})`,
    );
  if (writerLost) where.push(`writer ${fmt(writerLost)} (dead letters ${fmt(c.deadLettered)})`);
  const notes: string[] = [];
  if (c.retries) notes.push(`db retries ${fmt(c.retries)}`);
  if (c.skipped) notes.push(`redelivered and skipped ${fmt(c.skipped)}`);
  if (step.timedOut) notes.push('drain timed out');
  return {
    section,
    label,
    engine: 'sipcap',
    rateAsked: rate,
    step,
    rows: c.rows,
    distinct: c.distinct,
    lost,
    dup,
    where: where.join(', ') || '-',
    notes: notes.join(', '),
    ok: lost === 0 && dup === 0,
  };
}

function kamailioRow(section: string, label: string, rate: number, step: StepResult, c: KamailioCounts): Row {
  const sent = step.send.sent;
  const lost = sent - c.distinct;
  const dup = c.rows - c.distinct;
  const where: string[] = [];
  if (step.socketDrops) where.push(`socket ${fmt(step.socketDrops)}`);
  const other = lost - step.socketDrops;
  if (other) where.push(`kamailio ${fmt(other)} (insert errors logged ${c.insertErrors})`);
  return {
    section,
    label,
    engine: 'kamailio',
    rateAsked: rate,
    step,
    rows: c.rows,
    distinct: c.distinct,
    lost,
    dup,
    where: where.join(', ') || '-',
    notes: step.timedOut ? 'drain timed out' : '',
    ok: lost === 0 && dup === 0,
  };
}

function cpuText(r: Row): string {
  const p = r.step.cpu.pct;
  const parts = Object.entries(p)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`);
  return `${parts.join(', ')} (machine ${r.step.cpu.machineBusyPct} % busy)`;
}

/** Rows stored per second, from the first packet to the last row (the node's storing rate when it lagged). */
function storeRate(r: Row): number {
  return r.rows / ((r.step.send.seconds * 1000 + r.step.lastRowMs) / 1000);
}

function table(rows: Row[]): string {
  const head = [
    'case',
    'rate asked',
    'rate sent',
    'sent',
    'stored',
    'lost',
    'dup',
    'last row after',
    'backlog at end',
    'stored/s',
    'lost where',
    'CPU % of one core',
    'notes',
  ];
  const lines = rows.map((r) => [
    `${r.engine} ${r.label}`,
    r.rateAsked ? `${fmt(r.rateAsked)}/s` : 'max',
    `${fmt(r.step.send.rate)}/s`,
    fmt(r.step.send.sent),
    fmt(r.rows),
    fmt(r.lost),
    fmt(r.dup),
    secs(r.step.lastRowMs),
    fmt(r.step.send.sent - r.step.storedAtSendEnd),
    fmt(storeRate(r)),
    r.where,
    cpuText(r),
    [r.step.events.join('; '), r.notes].filter(Boolean).join('; '),
  ]);
  const all = [head, ...lines];
  return all.map((l, i) => `| ${l.join(' | ')} |${i === 0 ? `\n|${head.map(() => '---').join('|')}|` : ''}`).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const sender = process.env.E2E_SENDER ?? 'dist/bench/e2e/sender';
  if (!existsSync(sender)) throw new Error(`${sender} is missing: run bench/e2e/run.sh, which compiles it`);
  const work = existsSync('/dev/shm') ? `/dev/shm/sipcap-e2e-${runId}` : `/tmp/sipcap-e2e-${runId}`;
  mkdirSync(work, { recursive: true });
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const rows: Row[] = [];
  const notes: string[] = [];

  // The kernel caps SO_RCVBUF at net.core.rmem_max; the agent asks for HEP_UDP_RCVBUF (64 MiB).
  const want = Number(o.settings.agent.HEP_UDP_RCVBUF ?? 64 * 1024 * 1024);
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  if (rmemMax < want) {
    sh('sysctl', ['-w', `net.core.rmem_max=${want}`]);
    notes.push(`net.core.rmem_max raised from ${rmemMax} to ${want} for the run (restored at the end)`);
    cleanups.push(async () => void sh('sysctl', ['-w', `net.core.rmem_max=${rmemMax}`]));
    log(`raised net.core.rmem_max from ${rmemMax} to ${want} (restored at the end)`);
  } else notes.push(`net.core.rmem_max is ${rmemMax} (not changed)`);

  // Kafka: the shared local broker, started when it is not running (and stopped again at the end).
  let startedKafka = false;
  try {
    sh('bash', ['scripts/kafka.sh', 'status']);
  } catch {
    log('starting Kafka (scripts/kafka.sh start)');
    sh('bash', ['scripts/kafka.sh', 'start']);
    startedKafka = true;
    cleanups.push(async () => void sh('bash', ['scripts/kafka.sh', 'stop']));
  }

  const kamailioVersion = o.parts.has('kamailio') || o.parts.has('burst') ? ensureKamailio(log) : 'not run';

  // The load: unique messages for the longest send of the run; every step sends a prefix of them
  // into a fresh topic and database, so nothing is shared between steps.
  const sends = [
    ...(o.parts.has('sweep') ? o.rates.map((r) => r * o.stepSeconds) : []),
    ...(o.parts.has('kamailio') ? o.kamRates.map((r) => r * o.stepSeconds) : []),
    ...(o.parts.has('target') && o.target ? [o.target.rate * o.target.seconds] : []),
    ...(o.parts.has('faults') ? [o.fault.rate * o.fault.seconds] : []),
    ...(o.parts.has('burst') ? [o.burst] : []),
  ];
  const maxCount = Math.max(...sends, 1);
  log(`pre-encoding ${fmt(maxCount)} unique SIP messages as HEP3 into ${work}`);
  const load = writeLoadFile(join(work, 'load.bin'), maxCount, runId);
  log(`load: ${fmt(load.packets)} packets, SIP ${load.minSip}..${load.maxSip} bytes, HEP ${load.avgHep.toFixed(0)} bytes on average`);

  let port = 19000 + Math.floor(Math.random() * 500);
  let stepNo = 0;
  const stepOpts = (count: number, rate: number, extra: Partial<StepOptions> = {}): StepOptions => ({
    sender,
    loadFile: load.path,
    count,
    rate,
    stableMs: 5000,
    drainTimeoutMs: Math.max(60_000, 3 * (rate ? (count / rate) * 1000 : 10_000)),
    log,
    ...extra,
  });

  /** One sipcap step on a fresh topic and database; `prepare` may change the stack before the load. */
  const sipcapStep = async (
    section: string,
    label: string,
    count: number,
    rate: number,
    extra: {
      settings?: SipcapSettings;
      brokers?: string;
      kafkaInstance?: string;
      pgServer?: string;
      actions?: (s: SipcapStack) => StepOptions['actions'];
      stableMs?: number;
    } = {},
  ): Promise<Row> => {
    const stack = new SipcapStack(`${runId}-${++stepNo}`, {
      brokers: extra.brokers ?? '127.0.0.1:9092',
      pgServer: extra.pgServer ?? 'postgres://postgres@127.0.0.1:5432',
      hepPort: ++port,
      settings: extra.settings ?? o.settings,
    });
    const stop = () => stack.stop({ keep: o.keep, logDir: `dist/bench/e2e/logs/${runId}` });
    cleanups.push(stop);
    try {
      await stack.start();
      const node: CaptureNode = {
        port: stack.opts.hepPort,
        progress: () => stack.progress(),
        pending: () => stack.pending(),
        cpuGroups: () => {
          const p = stack.pids();
          return {
            agent: p.agent,
            writers: p.writers,
            kafka: kafkaPids(extra.kafkaInstance ?? 'default'),
            postgres: pidsByComm('postgres'),
          };
        },
      };
      log(
        `sipcap ${label}: ${fmt(count)} messages at ${rate ? `${fmt(rate)}/s` : 'full speed'} (${stack.opts.settings.writers} writer(s), ${stack.opts.settings.partitions} partitions)`,
      );
      const step = await loadStep(
        node,
        stepOpts(count, rate, { actions: extra.actions?.(stack), ...(extra.stableMs ? { stableMs: extra.stableMs } : {}) }),
      );
      if (stack.writers.some((w) => !w.running)) await stack.reconnectDb().catch(() => undefined);
      const row = sipcapRow(section, label, rate, step, await stack.counts());
      log(
        `  sent ${fmt(step.send.sent)} at ${fmt(step.send.rate)}/s, stored ${fmt(row.rows)}, lost ${fmt(row.lost)}, dup ${fmt(row.dup)}, last row ${secs(step.lastRowMs)} after the last packet; ${row.where}; CPU ${cpuText(row)}`,
      );
      rows.push(row);
      return row;
    } finally {
      cleanups.splice(cleanups.indexOf(stop), 1);
      await stop();
    }
  };

  const kamailioStep = async (section: string, label: string, count: number, rate: number): Promise<Row> => {
    const kam = new KamailioStack(`${runId}-${++stepNo}`, { port: ++port, children: 4 });
    const stop = () => kam.stop({ keep: o.keep });
    cleanups.push(stop);
    try {
      await kam.start();
      const node: CaptureNode = {
        port: kam.opts.port,
        progress: () => kam.progress(),
        pending: () => kam.pending(),
        cpuGroups: () => ({ kamailio: kam.pids(), mariadb: pidsByComm('mariadbd') }),
      };
      log(`kamailio ${label}: ${fmt(count)} messages at ${rate ? `${fmt(rate)}/s` : 'full speed'}`);
      const step = await loadStep(node, stepOpts(count, rate));
      const row = kamailioRow(section, label, rate, step, await kam.counts());
      log(
        `  sent ${fmt(step.send.sent)} at ${fmt(step.send.rate)}/s, stored ${fmt(row.rows)}, lost ${fmt(row.lost)}, last row ${secs(step.lastRowMs)} after the last packet; ${row.where}; CPU ${cpuText(row)}`,
      );
      rows.push(row);
      return row;
    } finally {
      cleanups.splice(cleanups.indexOf(stop), 1);
      await stop();
    }
  };

  /** Rates in order until the first step that loses or duplicates anything. */
  const sweep = async (rates: number[], step: (rate: number) => Promise<Row>) => {
    for (const rate of rates) {
      const r = await step(rate);
      if (!r.ok) break;
    }
  };

  if (o.parts.has('sweep')) await sweep(o.rates, (rate) => sipcapStep('sweep', `sweep ${o.stepSeconds}s`, rate * o.stepSeconds, rate));
  if (o.parts.has('cluster')) {
    // The same sweep on a private 3-broker cluster (scripts/kafka.sh start --brokers 3), never the shared broker.
    const kenv = { KAFKA_INSTANCE: 'bench-cluster', KAFKA_PORT: '19792' };
    log('starting a private 3-broker Kafka cluster (KAFKA_INSTANCE=bench-cluster, 127.0.0.1:19792-19794)');
    sh('bash', ['scripts/kafka.sh', 'reset'], kenv);
    sh('bash', ['scripts/kafka.sh', 'start', '--brokers', '3'], kenv);
    const stopC = async () => void sh('bash', ['scripts/kafka.sh', 'reset'], kenv);
    cleanups.push(stopC);
    try {
      await sweep(o.rates, (rate) =>
        sipcapStep('cluster', `3 brokers ${o.stepSeconds}s`, rate * o.stepSeconds, rate, {
          brokers: '127.0.0.1:19792,127.0.0.1:19793,127.0.0.1:19794',
          kafkaInstance: 'bench-cluster',
        }),
      );
    } finally {
      cleanups.splice(cleanups.indexOf(stopC), 1);
      await stopC();
    }
  }
  if (o.parts.has('target') && o.target)
    await sipcapStep('target', `target ${o.target.seconds}s`, o.target.rate * o.target.seconds, o.target.rate);
  if (o.parts.has('kamailio'))
    await sweep(o.kamRates, (rate) => kamailioStep('sweep', `sweep ${o.stepSeconds}s`, rate * o.stepSeconds, rate));
  if (o.parts.has('burst')) {
    await sipcapStep('burst', 'burst', o.burst, 0);
    await kamailioStep('burst', 'burst', o.burst, 0);
  }

  if (o.parts.has('faults')) {
    const { rate, seconds } = o.fault;
    const count = rate * seconds;
    const at = Math.round((seconds * 1000) / 3);
    const outage = o.quick ? 5000 : 20000;

    // The Kafka broker restarted: on a second, private Kafka instance, so that no other user of the
    // shared broker sees it go down.
    const kenv = { KAFKA_INSTANCE: 'bench-e2e', KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093' };
    log('starting a private Kafka for the broker restart (KAFKA_INSTANCE=bench-e2e, 127.0.0.1:19092)');
    sh('bash', ['scripts/kafka.sh', 'start'], kenv);
    const stopK = async () => void sh('bash', ['scripts/kafka.sh', 'reset'], kenv);
    cleanups.push(stopK);
    try {
      await sipcapStep('faults', 'Kafka broker restarted', count, rate, {
        brokers: '127.0.0.1:19092',
        kafkaInstance: 'bench-e2e',
        stableMs: 15_000,
        actions: () => [
          { atMs: at, name: 'kafka.sh restart', run: async () => void (await shAsync('bash', ['scripts/kafka.sh', 'restart'], kenv)) },
        ],
      });
    } finally {
      cleanups.splice(cleanups.indexOf(stopK), 1);
      await stopK();
    }

    // The database stopped: a throw-away PostgreSQL (initdb + pg_ctl), never the shared one.
    const pgPort = 55000 + Math.floor(Math.random() * 900);
    const privatePg = new PrivatePostgres(pgPort);
    const stopPg = () => privatePg.destroy();
    cleanups.push(stopPg);
    try {
      log(`starting a throw-away PostgreSQL on 127.0.0.1:${pgPort} for the database outage`);
      await privatePg.init();
      await privatePg.start();
      await sipcapStep('faults', `database stopped ${outage / 1000}s`, count, rate, {
        pgServer: privatePg.url,
        stableMs: 15_000,
        actions: (s) => [
          { atMs: at, name: 'pg_ctl stop -m immediate', run: () => privatePg.stop('immediate') },
          {
            atMs: at + outage,
            name: 'pg_ctl start',
            run: async () => {
              await privatePg.start();
              await s.reconnectDb();
            },
          },
        ],
      });
    } finally {
      cleanups.splice(cleanups.indexOf(stopPg), 1);
      await stopPg();
    }

    // A writer killed (SIGKILL) mid-batch and started again.
    await sipcapStep('faults', 'writer killed and restarted', count, rate, {
      stableMs: 15_000,
      actions: (s) => [
        { atMs: at, name: 'kill -9 db-writer', run: () => s.killWriter(0) },
        {
          atMs: at + 3000,
          name: 'db-writer started again',
          run: async () => {
            const w = s.startWriter();
            await w.metricsPort();
          },
        },
      ],
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  const best = (engine: Row['engine'], keepUp: boolean, section = 'sweep') => {
    let rate = 0;
    for (const r of rows.filter((x) => x.engine === engine && x.section === section)) {
      if (!r.ok || (keepUp && r.step.lastRowMs > 5000)) break;
      rate = r.rateAsked;
    }
    return rate;
  };
  const sipLossless = best('sipcap', false);
  const kamLossless = best('kamailio', false);
  const sipKeepUp = best('sipcap', true);
  const kamKeepUp = best('kamailio', true);
  const ratio = (a: number, b: number) => (a && b ? `${(a / b).toFixed(1)}x` : 'n/a');
  const summary = [
    `sipcap lossless rate: ${fmt(sipLossless)}/s (highest sweep step, ${o.stepSeconds} s each, with nothing lost or duplicated); with the last row within 5 s: ${fmt(sipKeepUp)}/s`,
    `Kamailio sipcapture lossless rate: ${fmt(kamLossless)}/s; with the last row within 5 s: ${fmt(kamKeepUp)}/s`,
    `ratio sipcap / Kamailio, lossless: ${ratio(sipLossless, kamLossless)}; last row within 5 s: ${ratio(sipKeepUp, kamKeepUp)}`,
  ];
  if (o.parts.has('cluster'))
    summary.push(
      `sipcap on a 3-broker cluster (replication 3, min.insync.replicas 2), lossless: ${fmt(best('sipcap', false, 'cluster'))}/s; with the last row within 5 s: ${fmt(best('sipcap', true, 'cluster'))}/s (one broker above: ${fmt(sipLossless)}/s, ${fmt(sipKeepUp)}/s)`,
    );
  const target = rows.find((r) => r.section === 'target');
  if (target)
    summary.push(
      `target ${fmt(target.rateAsked)}/s for ${o.target!.seconds} s: sent ${fmt(target.step.send.sent)} at ${fmt(target.step.send.rate)}/s, stored ${fmt(target.rows)}, lost ${fmt(target.lost)}, last row ${secs(target.step.lastRowMs)} after the last packet: ${target.ok && target.step.lastRowMs <= 5000 ? 'MET' : 'NOT MET'}`,
    );
  for (const b of rows.filter((r) => r.section === 'burst'))
    summary.push(
      `burst ${b.engine}: ${fmt(b.step.send.sent)} datagrams at ${fmt(b.step.send.rate)}/s, stored ${fmt(b.rows)}, lost ${fmt(b.lost)} (${b.where})`,
    );
  for (const f of rows.filter((r) => r.section === 'faults'))
    summary.push(
      `fault "${f.label}": sent ${fmt(f.step.send.sent)}, stored ${fmt(f.rows)}, lost ${fmt(f.lost)}, duplicates ${fmt(f.dup)}: ${f.ok ? 'OK' : 'NOT OK'}`,
    );

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${sh('uname', ['-r'])}`;
  const versions = [
    `Node ${process.version}`,
    `Kafka ${readdirKafka()}`,
    sh('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'show server_version']).split(' ')[0].replace(/^/, 'PostgreSQL '),
    sh('mariadb', ['-h', '127.0.0.1', '-u', 'root', '-Nse', 'select version()']).replace(/^/, 'MariaDB '),
    kamailioVersion,
  ];
  // The settings that matter here, with the value each app ran with (given, or the app's default).
  const shown = (keys: (keyof typeof SETTINGS)[], given: Record<string, string>) =>
    keys
      .map((k) => {
        const v = given[k] ?? String(SETTINGS[k].parse(undefined));
        return k === 'HEP_WORKERS' && v === '0' ? `${k}=0 (one per core: ${cpus().length})` : `${k}=${v}`;
      })
      .join(' ');
  const settingsText = [
    `topic partitions ${o.settings.partitions}, db-writers ${o.settings.writers}`,
    `hep-agent ${shown(['HEP_WORKERS', 'HEP_UDP_RCVBUF', 'KAFKA_COMPRESSION', 'KAFKA_BATCH_MAX', 'KAFKA_LINGER_MS', 'KAFKA_QUEUE_MAX'], o.settings.agent)}${o.settings.agentNice ? ` (nice ${o.settings.agentNice})` : ''}`,
    `db-writer ${shown(['DB_BATCH_SIZE', 'DB_FLUSH_MS', 'DB_CONNECTIONS'], o.settings.writer)}${Object.keys(o.settings.writer)
      .filter((k) => !['DB_BATCH_SIZE', 'DB_FLUSH_MS', 'DB_CONNECTIONS'].includes(k))
      .map((k) => ` ${k}=${o.settings.writer[k]}`)
      .join('')}${o.settings.writerNice ? ` (nice ${o.settings.writerNice})` : ''}`,
    'Kamailio: children=4, maxbuffer=64 MiB (the same socket buffer), db_insert_mode 0 (its default)',
  ].join('; ');
  const md = [
    `# bench/e2e ${new Date().toISOString()}`,
    '',
    `- command: \`${o.command}\`${o.quick ? ' (quick mode)' : ''}`,
    `- load average before the run: ${loadBefore}; at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    `- machine: ${machine}; every part (sender, hep-agent, Kafka, db-writer, PostgreSQL, Kamailio, MariaDB) on it`,
    `- versions: ${versions.join(', ')}`,
    `- sipcap settings: ${settingsText}`,
    `- load: unique SIP messages (calls INVITE/100/180/200/ACK/BYE/200, REGISTER/401/REGISTER/200, OPTIONS/200), SIP ${load.minSip}..${load.maxSip} bytes, HEP3 ${load.avgHep.toFixed(0)} bytes on average, sent over UDP to 127.0.0.1 by a C sender (sendmmsg, 1 ms ticks)`,
    ...notes.map((n) => `- ${n}`),
    `- took ${((Date.now() - started) / 60000).toFixed(1)} minutes`,
    '',
    '## Summary',
    '',
    ...summary.map((s) => `- ${s}`),
    '',
    '## Steps',
    '',
    table(rows),
    '',
    'lost = sent - distinct (callid, cseq, method) stored; dup = rows - distinct. "last row after": from the last packet sent to the moment the last row was seen stored (polled every 100 ms). "backlog at end": messages not yet stored when the last packet was sent. stored/s: rows / (send time + last row after): the rate the node stored at when it fell behind. CPU: share of one core used by each part over the step (send and drain; "others": every other process on the machine, jobs of other users included); "machine": how busy both cores were.',
    '',
  ].join('\n');

  process.stdout.write(`\n${table(rows)}\n\n${summary.join('\n')}\n`);
  if (o.results) {
    mkdirSync('bench/e2e/results', { recursive: true });
    const file = `bench/e2e/results/${new Date().toISOString().slice(0, 16).replace(':', '')}${o.quick ? '-quick' : ''}.md`;
    writeFileSync(file, md);
    log(`results written to ${file}`);
  }
  if (startedKafka) log('stopping the Kafka this run started');
}

function readdirKafka(): string {
  try {
    return sh('bash', ['-c', "ls .kafka/lib | sed -n 's/^kafka_2.13-\\(.*\\)\\.jar$/\\1/p' | head -1"]);
  } catch {
    return '?';
  }
}

process.on('uncaughtException', (e) => {
  log(`uncaught: ${e.stack ?? e}`);
  void cleanup().finally(() => process.exit(1));
});

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(cleanup)
  .catch(async (e) => {
    log(`failed: ${(e as Error).stack ?? e}`);
    await cleanup();
    process.exit(1);
  });
