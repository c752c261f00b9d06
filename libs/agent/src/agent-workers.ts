import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { WorkerMetricsBridge } from '@sipcap/telemetry';
import { createKafka } from '@sipcap/bus';
import type { AgentSettings } from './agent-runtime';
import { startAgentControl } from './agent-control';
import { ensureCaptureTopic } from './capture-topic';
import { isFromWorker, WORKER_ENV, type ToWorker } from './worker-messages';
import { WorkerTally } from './worker-tally';

export interface AgentPrimaryOptions {
  app: string;
  config: AgentSettings;
  /** Worker processes to run (each with its own decoder and Kafka producer; they share the listening sockets). */
  workers: number;
  log: Logger;
  registry: Registry;
  health: { register(name: string, check: () => boolean | string): void };
  /** Called once when the agent cannot go on (a replacement worker failed to start): stop and exit 1. */
  onFatal: (err: Error) => void;
}

/**
 * The primary of a multi-process agent: it owns the capture flag (relayed to every worker), the fleet
 * report and /metrics (the workers' metrics summed), starts the workers, replaces one that dies and
 * counts it, with what its Kafka queue held. It decodes nothing itself.
 */
export async function startAgentPrimary(o: AgentPrimaryOptions): Promise<{ stop(): Promise<void> }> {
  const { log, registry, config: c } = o;
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${o.app}-${c.CAPTURE_NODE}`, log, security: c });
  await ensureCaptureTopic(kafka, c, log);
  const control = await startAgentControl({ app: o.app, config: c, log, registry });
  const tally = new WorkerTally();
  const bridge = new WorkerMetricsBridge(registry);
  const restartsTotal = new Counter({
    name: 'sipcap_agent_worker_restarts_total',
    help: 'Worker processes that died and were replaced',
    registers: [registry],
  });
  const lostTotal = new Counter({
    name: 'sipcap_agent_worker_lost_records_total',
    help: 'Records a dead worker held in its Kafka queue at its last report (lost with it)',
    registers: [registry],
  });
  new Gauge({
    name: 'sipcap_agent_workers',
    help: 'Worker processes running and listening',
    registers: [registry],
    collect() {
      this.set(tally.readyCount);
    },
  });

  const workers = new Map<number, Worker>();
  let stopping = false;
  let startFailed: ((e: Error) => void) | undefined;
  const send = (w: Worker, m: ToWorker) => {
    if (w.isConnected()) w.send(m, (e: Error | null) => e && log.debug({ err: e.message }, 'message to a worker not sent'));
  };

  const fork = (index: number, onReady?: () => void) => {
    const w = cluster.fork({ [WORKER_ENV.index]: String(index), [WORKER_ENV.captureOn]: control.flag.isOn() ? '1' : '0' });
    workers.set(index, w);
    tally.started(index);
    w.on('message', (m: unknown) => {
      if (!isFromWorker(m)) return;
      if (m.t === 'ready') {
        tally.ready(index);
        // The flag may have changed between the fork and now.
        send(w, { t: 'flag', on: control.flag.isOn() });
        onReady?.();
      } else {
        tally.stats(index, m);
        bridge.update(index, m.metrics);
      }
    });
    w.on('exit', (code, signal) => {
      workers.delete(index);
      bridge.forget(index);
      const exit = tally.exited(index, stopping);
      if (stopping) return;
      if (!exit.restart) {
        const err = new Error(
          `worker ${index} exited while starting (code ${code ?? 'none'}, signal ${signal ?? 'none'}); see its log above`,
        );
        if (startFailed) startFailed(err);
        else o.onFatal(err);
        return;
      }
      restartsTotal.inc();
      lostTotal.inc(exit.lost);
      const delay = tally.restartDelay(index);
      log.error(
        { worker: index, code, signal, lostRecords: exit.lost, restartInMs: delay },
        `worker ${index} died; a new one starts (records it had queued for Kafka: ${exit.lost})`,
      );
      setTimeout(() => !stopping && fork(index), delay).unref();
    });
  };

  const stopWorkers = async () => {
    stopping = true;
    const exits = [...workers.values()].map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
    for (const w of workers.values()) send(w, { t: 'stop' });
    // A worker flushes its Kafka queue before it exits; one that cannot within the flush timeout is killed.
    const killer = setTimeout(() => {
      for (const w of workers.values()) w.process.kill('SIGKILL');
    }, o.config.KAFKA_FLUSH_TIMEOUT_MS + 5_000);
    await Promise.all(exits);
    clearTimeout(killer);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      startFailed = reject;
      let ready = 0;
      for (let i = 0; i < o.workers; i++) fork(i, () => ++ready === o.workers && resolve());
    });
  } catch (e) {
    await stopWorkers();
    await control.stop();
    throw e;
  }
  startFailed = undefined;
  // Only the first ready of each worker counts for start-up; replacements report through the tally.
  control.flag.on('change', (on) => {
    for (const w of workers.values()) send(w, { t: 'flag', on });
  });
  control.reportWith(() => tally.counters());
  o.health.register('workers', () => tally.readyCount === o.workers || `${tally.readyCount} of ${o.workers} workers running`);
  o.health.register('worker_checks', () => tally.problems().join('; ') || true);
  log.info({ workers: o.workers }, 'workers running');
  return {
    async stop() {
      await stopWorkers();
      await control.stop();
    },
  };
}
