import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { PartitionProgress } from './partition-progress';

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/** Resolves once the batch is durably handled; throwing makes the consumer re-read it later. */
export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

export interface BatchConsumerOptions {
  topic: string;
  groupId: string;
  log: Logger;
  registry?: Registry;
  /** Partitions handled at once; their batches are merged by the handler into larger inserts. */
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  /** Bytes of message values handed to the handler and not yet committed before fetching waits (default 64 MiB). */
  maxPendingBytes?: number;
  /**
   * How long an offset commit may take before it is given up (default 15 s). kafkajs retries a commit for
   * as long as the consumer's retry allows (here: forever), e.g. against a coordinator that lost this member;
   * a commit that never returns would hold its batch's bytes as pending and keep restartStalled from acting.
   */
  commitTimeoutMs?: number;
  /** Called after each group join with the partitions of `topic` this member now holds (stats: state of the others is dropped). */
  onAssignment?: (partitions: number[]) => void;
}

/**
 * A consumer-group member that hands each fetched batch to `handler` and commits the batch's offsets
 * only after the handler resolved, i.e. after the rows are committed in the database. Fetching goes on
 * while earlier batches are written, up to `maxPendingBytes`; past that it waits (a slow or absent
 * database), heartbeating so the partitions stay put, and the lag grows in Kafka.
 */
export class BatchConsumer {
  /** The partitions held and the batches in hand, for this member's share of the lag (HeldLagSampler). */
  readonly progress = new PartitionProgress();
  private consumer: Consumer;
  private readonly m;
  private running = false;
  private pending = 0;
  /** Fetch loops waiting for `pending` to drop under maxPendingBytes: woken by any batch's commit. */
  private readonly pendingWaiters = new Set<() => void>();
  private failed: Error | undefined;
  private readonly commitChains = new Map<number, Promise<void>>();
  private handler?: BatchHandler;
  private stallWatch?: NodeJS.Timeout;
  /** When a batch was last handed out or committed (ms): what the stall check watches. */
  lastActivityMs = Date.now();

  private readonly opts: BatchConsumerOptions & { maxPendingBytes: number; commitTimeoutMs: number };

  constructor(
    private readonly kafka: Kafka,
    opts: BatchConsumerOptions,
  ) {
    this.opts = { maxPendingBytes: 64 * 1024 * 1024, commitTimeoutMs: 15_000, ...opts };
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      consumed: new Counter({ name: 'sipcap_kafka_consumed_total', help: 'Kafka messages handed to the writer', registers }),
      commits: new Counter({ name: 'sipcap_kafka_commits_total', help: 'Offset commits, by result', labelNames: ['result'], registers }),
      rebalances: new Counter({ name: 'sipcap_kafka_rebalances_total', help: 'Consumer group joins', registers }),
      restarts: new Counter({
        name: 'sipcap_kafka_consumer_restarts_total',
        help: 'Consumers replaced after making no progress while their partitions had lag (restartStalled)',
        registers,
      }),
    };
    this.consumer = this.newConsumer();
  }

  private newConsumer(): Consumer {
    const { opts } = this;
    const consumer = this.kafka.consumer({
      groupId: opts.groupId,
      // 10 s: a killed writer's partitions move to the others after 10 s instead of 30 (heartbeats every 3 s).
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1024 * 1024,
      // The broker answers a fetch once 256 KiB are there or 100 ms passed: under load fewer, larger
      // fetches (each costs the broker and the writer a round of work), at most 100 ms more when idle.
      minBytes: 256 * 1024,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    const { GROUP_JOIN, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      this.m.rebalances.inc();
      this.lastActivityMs = Date.now();
      opts.log.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
      const held = e.payload.memberAssignment[opts.topic] ?? [];
      this.progress.assign(held);
      opts.onAssignment?.(held);
    });
    consumer.on(CRASH, (e) => opts.log.warn({ err: e.payload.error?.message, restart: e.payload.restart }, 'consumer crashed'));
    return consumer;
  }

  /**
   * Replaces the kafkajs consumer when it has handed out and committed nothing for `stalledMs` while
   * nothing waits for the database and `hasLag()` says there is work: kafkajs can be left stuck after the
   * group coordinator moved twice (seen in test/kafka-cluster.test.ts). The new member re-reads from the
   * committed offsets; the store skips what is already stored. Resolves to whether it restarted.
   */
  async restartStalled(stalledMs: number, hasLag: () => boolean, nowMs = Date.now()): Promise<boolean> {
    if (!this.running || !this.handler || this.pending > 0 || nowMs - this.lastActivityMs < stalledMs || !hasLag()) return false;
    this.opts.log.warn({ idleMs: nowMs - this.lastActivityMs }, 'consumer made no progress while its partitions have lag: replacing it');
    this.m.restarts.inc();
    const old = this.consumer;
    this.consumer = this.newConsumer();
    this.lastActivityMs = nowMs;
    await Promise.race([old.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
    await this.start(this.handler);
    return true;
  }

  /**
   * Runs `restartStalled` every `everyMs` until stop(): kafkajs can be left stuck after the group coordinator
   * moved, with nothing to tell but partitions that have lag (`hasLag`) and a consumer that hands out nothing.
   */
  watchStalls(stalledMs: number, hasLag: () => boolean, everyMs = 10_000): void {
    clearInterval(this.stallWatch);
    this.stallWatch = setInterval(() => {
      this.restartStalled(stalledMs, hasLag).catch((e: Error) => this.opts.log.warn({ err: e.message }, 'replacing the consumer failed'));
    }, everyMs);
    this.stallWatch.unref();
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(handler: BatchHandler): Promise<void> {
    this.handler = handler;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        this.m.consumed.inc(batch.messages.length);
        this.lastActivityMs = Date.now();
        const { topic, partition } = batch;
        const lastMessage = batch.messages[batch.messages.length - 1];
        const last = lastMessage.offset;
        this.progress.fetched(partition, BigInt(last), Number(batch.messages[0].timestamp), Number(lastMessage.timestamp));
        const done = handler({ topic, partition, messages: batch.messages });
        // Pipelining: the next fetch may start while this batch is being written, so fetching, decoding
        // and the database work overlap. The offset is committed only once the handler resolved, in
        // order per partition; `maxPendingBytes` bounds what waits, so a slow database still stops
        // consumption (the lag grows in Kafka, not in memory).
        let bytes = 0;
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        this.pending += bytes;
        const committed = (this.commitChains.get(partition) ?? Promise.resolve())
          .then(() => done)
          .then(
            () => this.commit(topic, partition, last),
            (e: unknown) => {
              this.failed = e as Error;
              this.progress.abandoned(partition);
            },
          )
          .finally(() => {
            this.pending -= bytes;
            for (const wake of [...this.pendingWaiters]) wake();
          });
        this.commitChains.set(partition, committed);
        resolveOffset(last);
        // Keep the session alive while the writer takes its time.
        // Any batch's commit wakes it, not only this one's: with several lanes, another partition's commit
        // is usually the one that makes room (waiting for this batch's own left a lane idle for up to 2 s).
        while (this.pending > this.opts.maxPendingBytes && isRunning() && !this.failed) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              this.pendingWaiters.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, 2000);
            this.pendingWaiters.add(wake);
          });
          await heartbeat().catch(() => undefined);
        }
        if (this.failed) {
          // A write that can not finish (the writer is stopping): re-read from the last commit.
          const e = this.failed;
          this.failed = undefined;
          throw e;
        }
        await heartbeat().catch(() => undefined);
      },
    });
  }

  private async commit(topic: string, partition: number, last: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.opts.commitTimeoutMs)));
    try {
      const commit = this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
      if ((await Promise.race([commit.then(() => 'ok' as const), timedOut])) === 'timeout') {
        // The commit goes on retrying inside kafkajs until its consumer stops; this batch no longer waits for it
        // (a later rejection is the race's, already handled).
        this.m.commits.inc({ result: 'timeout' });
        this.opts.log.warn(
          { partition, timeoutMs: this.opts.commitTimeoutMs },
          'offset commit did not finish in time after a stored batch',
        );
      } else {
        this.m.commits.inc({ result: 'ok' });
        this.lastActivityMs = Date.now();
      }
    } catch (e) {
      // Rows are stored and the database's offset table knows it; a lost commit only means re-reading
      // messages that the store then skips.
      this.m.commits.inc({ result: 'error' });
      this.opts.log.warn({ err: (e as Error).message, partition }, 'offset commit failed after a stored batch');
    } finally {
      clearTimeout(timer);
    }
    this.progress.committed(partition, BigInt(last)); // stored either way
  }

  /** Resolves once every handed-out batch is handled and committed (before leaving the group). */
  async drain(): Promise<void> {
    await Promise.all(this.commitChains.values());
  }

  pause(): void {
    this.consumer.pause([{ topic: this.opts.topic }]);
  }

  resume(): void {
    this.consumer.resume([{ topic: this.opts.topic }]);
  }

  async stop(): Promise<void> {
    clearInterval(this.stallWatch);
    this.running = false;
    await this.consumer.stop();
    await this.drain();
    await this.consumer.disconnect();
  }
}
