import type { MetricsSnapshot } from '@sipcap/telemetry';

/** What the primary of a multi-process agent tells a worker: the capture flag changed. */
export interface FlagMessage {
  t: 'flag';
  on: boolean;
}

/** A worker is listening (its ports are bound): from now on its exit is a crash to recover from. */
export interface ReadyMessage {
  t: 'ready';
}

/** A worker's state, sent every half second and once more when it stops. */
export interface StatsMessage {
  t: 'stats';
  /** Its registry's getMetricsAsJSON(): summed into the primary's /metrics. */
  metrics: MetricsSnapshot;
  /** Its fleet counters (totals since it started; kafkaQueued is a level). */
  counters: Record<string, number>;
  /** Its health checks that fail, by name (kafka, queue, ...), with their reason. */
  problems: Record<string, string>;
}

/** Stop: close the inputs, flush the Kafka queue, report once more and exit (the primary is stopping). */
export interface StopMessage {
  t: 'stop';
}

export type ToWorker = FlagMessage | StopMessage;
export type FromWorker = ReadyMessage | StatsMessage;

/** The environment a worker is forked with. */
export const WORKER_ENV = { index: 'SIPCAP_WORKER_INDEX', captureOn: 'SIPCAP_WORKER_CAPTURE_ON' } as const;

export function isFromWorker(m: unknown): m is FromWorker {
  const t = (m as { t?: unknown } | null)?.t;
  return t === 'ready' || t === 'stats';
}

export function isToWorker(m: unknown): m is ToWorker {
  const t = (m as { t?: unknown } | null)?.t;
  return t === 'flag' || t === 'stop';
}
