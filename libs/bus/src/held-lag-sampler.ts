import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { consumerLag, type PartitionLag } from './consumer-lag';
import type { HeldLag, HeldPartitionLag, PartitionProgress } from './partition-progress';

export interface HeldLagSamplerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** The member's own view (BatchConsumer.progress). */
  progress: PartitionProgress;
  log: Logger;
  registry?: Registry;
  /** Records per Kafka message read so far (the writer counts them as it decodes); 1 when absent. */
  recordsPerMessage?: () => number;
  /** Between admin calls (default 5 s); a scrape uses the last answer, so a slow broker never blocks it. */
  intervalMs?: number;
}

/**
 * Samples the group's committed offsets and exports this member's share of the lag, per partition it
 * holds: Kafka messages, estimated records and the age of the oldest unstored message. Each member
 * exports only its own partitions, so sum() over replicas is the group's lag, counted once.
 */
export class HeldLagSampler {
  private group: readonly PartitionLag[] | undefined;
  private timer?: NodeJS.Timeout;
  /** The group's committed offsets summed, and when that sum last moved (ms): is anyone making progress? */
  private committedSum = -1n;
  private groupMovedMs = Date.now();

  constructor(private readonly opts: HeldLagSamplerOptions) {
    const registers = opts.registry ? [opts.registry] : [];
    const latest = () => this.latest;
    const gauge = (name: string, help: string, value: (p: HeldPartitionLag) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['partition'],
        registers,
        collect() {
          this.reset(); // a partition that moved to another member leaves this one's series
          for (const p of latest()?.partitions ?? []) {
            const v = value(p);
            if (v !== undefined) this.set({ partition: String(p.partition) }, v);
          }
        },
      });
    gauge(
      'sipcap_kafka_consumer_lag',
      'Kafka messages (each holds one or more records) not yet handled in the partitions this member holds; sum over members for the group',
      (p) => p.messages,
    );
    gauge(
      'sipcap_kafka_consumer_lag_records',
      'Records not yet handled in the partitions this member holds, estimated from the records per message read',
      (p) => p.records,
    );
    gauge(
      'sipcap_kafka_consumer_lag_seconds',
      'Age of the oldest message not yet handled in each partition this member holds (0: caught up)',
      (p) => (p.ageMs === undefined ? undefined : p.ageMs / 1000),
    );
  }

  /** This member's lag now, from the last answer of the brokers (undefined before the first). */
  get latest(): HeldLag | undefined {
    return this.group && this.opts.progress.lagOf(this.group, Date.now(), this.opts.recordsPerMessage?.() ?? 1);
  }

  /**
   * Whether there is work nobody is doing, for BatchConsumer.restartStalled: this member's partitions
   * have lag, or the group has lag and its committed offsets have not moved for `idleMs` (this member
   * holds nothing, and no other member makes progress either).
   */
  hasStalledWork(idleMs: number, nowMs = Date.now()): boolean {
    if (!this.group) return false;
    if ((this.latest?.messages ?? 0) > 0) return true;
    return this.group.some((p) => p.lag > 0n) && nowMs - this.groupMovedMs >= idleMs;
  }

  /** Samples now and then every interval. */
  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.opts.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    try {
      this.group = (await consumerLag(this.opts.kafka, this.opts.groupId, this.opts.topic)).partitions;
      const sum = this.group.reduce((n, p) => n + p.committed, 0n);
      if (sum !== this.committedSum) {
        this.committedSum = sum;
        this.groupMovedMs = Date.now();
      }
    } catch (e) {
      this.opts.log.debug({ err: (e as Error).message }, 'lag check failed');
    }
  }
}
