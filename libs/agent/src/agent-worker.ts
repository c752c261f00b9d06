import { createLogger, createRegistry, Health, type AppContext } from '@sipcap/telemetry';
import type { AgentRuntime } from './agent-runtime';
import type { WatchedSwitch } from './agent-control';
import { RelayedFlag } from './relayed-flag';
import { isToWorker, WORKER_ENV, type FromWorker, type StatsMessage } from './worker-messages';

/** What an agent's body gives back: its runtime (for the counters) and how to stop it. */
export interface AgentInstance {
  /** None when the agent has nothing to capture (e.g. HEP_CAPTURE_ON=0). */
  runtime?: AgentRuntime;
  stop(): Promise<void>;
}

/**
 * The body of an agent, run in its only process or in each worker: `flag` is set in a worker (relayed by
 * the primary), `workers` says how many run (limits of the whole agent are shared among them) and `worker`
 * which one this is (0 in a single process: what the agent says once, worker 0 says).
 */
export type AgentBody = (ctx: AppContext & { flag?: WatchedSwitch; workers: number; worker: number }) => Promise<AgentInstance>;

const STATS_EVERY_MS = 500;

/**
 * One worker of a multi-process agent: runs the agent's body with the flag the primary relays, has no
 * port of its own (metrics and health reach /metrics through the primary every half second), and stops
 * when the primary says so: inputs closed, Kafka queue flushed, a last report, exit 0.
 */
export async function runAgentWorker(
  app: string,
  opts: { logLevel: string; node: string; workers: number },
  body: AgentBody,
): Promise<void> {
  const index = Number(process.env[WORKER_ENV.index] ?? 0);
  const log = createLogger(app, opts.logLevel, { node: opts.node, worker: index });
  process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled rejection'));
  // A terminal's Ctrl-C reaches the whole process group: the primary stops the workers in order.
  process.on('SIGINT', () => undefined);
  const registry = createRegistry(app);
  const health = new Health();
  const flag = new RelayedFlag(process.env[WORKER_ENV.captureOn] === '1');
  let instance: AgentInstance;
  try {
    instance = await body({ log, registry, health, flag, workers: opts.workers, worker: index });
  } catch (e) {
    log.fatal({ err: e }, `${app} worker ${index} could not start: ${(e as Error).message}`);
    log.flush?.();
    process.exit(1);
  }
  const send = (m: FromWorker) =>
    new Promise<void>((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));
  const stats = async (): Promise<StatsMessage> => {
    const h = await health.evaluate();
    return {
      t: 'stats',
      metrics: await registry.getMetricsAsJSON(),
      counters: instance.runtime?.counters() ?? {},
      problems: Object.fromEntries(Object.entries(h.checks).filter(([, v]) => v !== 'ok')),
    };
  };
  const timer = setInterval(() => void stats().then(send), STATS_EVERY_MS);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    try {
      await instance.stop();
    } catch (e) {
      log.error({ err: e }, 'error while stopping');
    }
    await send(await stats());
    log.flush?.();
    process.exit(0);
  };
  process.on('message', (m: unknown) => {
    if (!isToWorker(m)) return;
    if (m.t === 'flag') flag.set(m.on);
    else void stop();
  });
  process.on('SIGTERM', () => void stop());
  await send({ t: 'ready' });
}
