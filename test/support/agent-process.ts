import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { BatchConsumer } from '@sipcap/bus';
import type { CaptureRecord } from '@sipcap/record';
import { quietLog, recordsOfValue, testKafka, uniqueName, waitFor } from './kafka';

/** Bundles an app into dist/apps/<app> (the tests run what operators run). */
export function buildApp(app: string): void {
  execFileSync(process.execPath, ['scripts/build-app.mjs', app], { stdio: 'pipe' });
}

export interface AgentProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a log line contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
  /** The metrics port it bound (METRICS_PORT=0), from its log. */
  metricsPort(): Promise<number>;
  /** One metric's value from /metrics (labels as `{reason="x"}` text, or none for the unlabelled one). */
  metric(name: string, labels?: string): Promise<number>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts dist/apps/<app>/main.js with the given environment (on top of PATH and the like);
 * `withoutCaptureCaps` runs it without the capabilities raw capture needs, for the permission tests.
 */
export function startAgent(
  app: string,
  env: Record<string, string>,
  opts: { withoutCaptureCaps?: boolean; nodeArgs?: string[] } = {},
): AgentProcess {
  // nodeArgs: flags for node itself (e.g. --cpu-prof, which NODE_OPTIONS does not allow).
  const args = [...(opts.nodeArgs ?? []), `dist/apps/${app}/main.js`];
  // Without CAP_NET_RAW/CAP_NET_ADMIN in the bounding set, even root cannot open a capture; root still
  // reads the bundle wherever the checkout lies (an unprivileged user may not, e.g. under a 0700 mktemp dir).
  const [cmd, argv] = !opts.withoutCaptureCaps
    ? [process.execPath, args]
    : ['setpriv', ['--bounding-set=-net_raw,-net_admin', process.execPath, ...args]];
  const child = spawn(cmd, argv, {
    env: {
      PATH: process.env.PATH ?? '',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      METRICS_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // The fixtures (sample pcaps, HEP with fixed times) carry past capture times that the tests check as
      // sent: the capture-time windows are off unless a test sets them (test/capture-time-window.test.ts).
      CAPTURE_TIME_WINDOW_S: '0',
      DB_TIME_WINDOW_DAYS: '36500',
      // One hep-agent process unless a test is about the workers (test/hep-workers.test.ts, npm start):
      // the tests' per-source TCP limits and exact counts are those of one process.
      HEP_WORKERS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exitedNow = false;
  void exited.then(() => (exitedNow = true));
  const waitForLog = async (text: string, timeoutMs = 30_000): Promise<void> => {
    await waitFor(
      `"${text}" in the ${app} log`,
      () => {
        if (out.includes(text)) return true;
        if (exitedNow) throw new Error(`${app} exited before logging "${text}":\n${out}`);
        return undefined;
      },
      timeoutMs,
      50,
    );
  };
  const metricsPort = async (): Promise<number> => {
    await waitForLog('telemetry listening');
    const m = /"metrics":"http:\/\/[^:]+:(\d+)\/metrics"/.exec(out);
    if (!m) throw new Error(`no metrics port in the ${app} log`);
    return Number(m[1]);
  };
  return {
    child,
    output: () => out,
    exited,
    waitForLog,
    metricsPort,
    async metric(name, labels = '') {
      const text = await (await fetch(`http://127.0.0.1:${await metricsPort()}/metrics`)).text();
      let total = 0;
      let found = false;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const rest = line.slice(name.length);
        const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
        const labelText = rest.startsWith('{') ? rest.slice(0, rest.indexOf('}') + 1) : '';
        // Match when every wanted label is present (the app label is always there).
        const wanted = labels
          .replace(/^\{|\}$/g, '')
          .split(',')
          .filter(Boolean);
        if ((rest.startsWith(' ') || rest.startsWith('{')) && wanted.every((l) => labelText.includes(l))) {
          total += value;
          found = true;
        }
      }
      if (!found) throw new Error(`metric ${name}${labels} not found`);
      return total;
    },
    async stop() {
      if (!exitedNow) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

/** Reads every record published to `topic` (from the beginning) into `records`, decoded. */
export async function readRecords(topic: string): Promise<{ records: CaptureRecord[]; stop(): Promise<void> }> {
  const records: CaptureRecord[] = [];
  const consumer = new BatchConsumer(testKafka(), {
    topic,
    groupId: uniqueName('raw-test'),
    log: quietLog,
    partitionsConsumedConcurrently: 1,
  });
  await consumer.start(async ({ messages }) => {
    for (const m of messages) records.push(...recordsOfValue(m.value));
  });
  return { records, stop: () => consumer.stop() };
}
