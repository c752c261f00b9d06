import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { BatchConsumer, type ConsumedBatch } from './batch-consumer';

const log = pino({ level: 'silent' });

/** What BatchConsumer asks of a kafkajs consumer, recorded; `deliver` plays the fetch loop's eachBatch. */
class FakeConsumer {
  readonly commits: { partition: number; offset: string }[] = [];
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  private readonly listeners = new Map<string, (e: { payload: unknown }) => void>();
  eachBatch?: (p: EachBatchPayload) => Promise<void>;
  heartbeats = 0;
  running = true;

  on(event: string, fn: (e: { payload: unknown }) => void) {
    this.listeners.set(event, fn);
  }
  emit(event: string, payload: unknown) {
    this.listeners.get(event)?.({ payload });
  }
  async connect() {}
  async subscribe() {}
  async run(opts: { eachBatch: (p: EachBatchPayload) => Promise<void> }) {
    this.eachBatch = opts.eachBatch;
  }
  /** A commit that never returns (kafkajs retrying against a coordinator that lost this member). */
  commitHangs = false;
  async commitOffsets(offsets: { partition: number; offset: string }[]) {
    if (this.commitHangs) return new Promise<void>(() => undefined);
    this.commits.push(...offsets.map(({ partition, offset }) => ({ partition, offset })));
  }
  async stop() {
    this.running = false;
  }
  disconnected = false;
  async disconnect() {
    this.disconnected = true;
    this.running = false;
  }
  pause() {}
  resume() {}

  /** One fetched batch of `count` messages from `first`, each `bytes` long, timestamped `ts`. */
  deliver(partition: number, first: number, count: number, bytes = 10, ts = 1_000): Promise<void> {
    const messages = Array.from(
      { length: count },
      (_, i) =>
        ({
          offset: String(first + i),
          value: Buffer.alloc(bytes),
          key: null,
          timestamp: String(ts),
          headers: {},
        }) as unknown as KafkaMessage,
    );
    return this.eachBatch!({
      batch: { topic: 't', partition, messages },
      resolveOffset: () => undefined,
      heartbeat: async () => void this.heartbeats++,
      isRunning: () => this.running,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  }
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const settle = () => new Promise((r) => setImmediate(r));

async function started(maxPendingBytes?: number) {
  const fake = new FakeConsumer();
  const kafka = { consumer: () => fake } as unknown as Kafka;
  const consumer = new BatchConsumer(kafka, { topic: 't', groupId: 'g', log, partitionsConsumedConcurrently: 2, maxPendingBytes });
  const handled: { batch: ConsumedBatch; done: ReturnType<typeof deferred> }[] = [];
  await consumer.start((batch) => {
    const done = deferred();
    handled.push({ batch, done });
    return done.promise;
  });
  return { fake, consumer, handled };
}

describe('BatchConsumer', () => {
  it('commits a batch only after its handler resolved (the rows are stored), at the offset after its last message', async () => {
    const { fake, handled } = await started();
    await fake.deliver(0, 100, 5);
    expect(handled).toHaveLength(1);
    await settle();
    expect(fake.commits).toEqual([]);
    handled[0].done.resolve();
    await settle();
    expect(fake.commits).toEqual([{ partition: 0, offset: '105' }]);
  });

  it("commits a partition's batches in order even when a later one is stored first", async () => {
    const { fake, handled } = await started();
    await fake.deliver(0, 0, 3);
    await fake.deliver(0, 3, 3);
    await fake.deliver(1, 0, 2);
    handled[1].done.resolve(); // partition 0, second batch
    handled[2].done.resolve(); // partition 1
    await settle();
    expect(fake.commits).toEqual([{ partition: 1, offset: '2' }]);
    handled[0].done.resolve();
    await settle();
    expect(fake.commits).toEqual([
      { partition: 1, offset: '2' },
      { partition: 0, offset: '3' },
      { partition: 0, offset: '6' },
    ]);
  });

  it('a batch whose handler failed is not committed, and the next fetch fails so kafkajs reads it again', async () => {
    const { fake, handled } = await started();
    await fake.deliver(0, 0, 2);
    handled[0].done.reject(new Error('writer is stopping'));
    await settle();
    expect(fake.commits).toEqual([]);
    await expect(fake.deliver(0, 2, 2)).rejects.toThrow('writer is stopping');
  });

  it('holds the fetch loop, heartbeating, while more than maxPendingBytes are handed out and not stored', async () => {
    const { fake, handled } = await started(100);
    let returned = false;
    const held = fake.deliver(0, 0, 5, 30).then(() => (returned = true)); // 150 bytes pending: above the bound
    await settle();
    expect(returned).toBe(false);
    await new Promise((r) => setTimeout(r, 2_100)); // it heartbeats every 2 s while it waits
    expect(fake.heartbeats).toBeGreaterThan(0);
    expect(returned).toBe(false);
    handled[0].done.resolve();
    await held;
    expect(fake.commits).toEqual([{ partition: 0, offset: '5' }]);
  });

  it("resumes fetching as soon as any batch's commit makes room, not only its own (lanes stay fed)", async () => {
    const { fake, handled } = await started(100);
    await fake.deliver(0, 0, 2, 30); // 60 bytes pending, partition 0 (one lane)
    let returned = false;
    const held = fake.deliver(1, 0, 2, 30).then(() => (returned = true)); // 120: above the bound, partition 1 (the other)
    await settle();
    expect(returned).toBe(false);
    const t0 = Date.now();
    handled[0].done.resolve(); // partition 0's rows stored: 60 bytes pending, under the bound
    await held;
    expect(Date.now() - t0).toBeLessThan(1_000); // not the 2 s re-check
    expect(fake.commits).toEqual([{ partition: 0, offset: '2' }]); // partition 1's batch still waits for its rows
    handled[1].done.resolve();
  });

  it('tracks the partitions it holds and the batches in hand (its share of the lag)', async () => {
    const { fake, consumer, handled } = await started();
    fake.emit(fake.events.GROUP_JOIN, { memberAssignment: { t: [0, 2] } });
    expect(consumer.progress.partitions).toEqual([0, 2]);
    await fake.deliver(0, 10, 2, 10, 5_000);
    const lag = [{ partition: 0, committed: 10n, end: 12n, lag: 2n }];
    expect(consumer.progress.lagOf(lag, 8_000).ageMs).toBe(3_000); // the batch in hand is the oldest unstored
    handled[0].done.resolve();
    await settle();
    expect(consumer.progress.lagOf([{ partition: 0, committed: 12n, end: 12n, lag: 0n }], 8_000).ageMs).toBe(0);
  });

  it('replaces a consumer that stalled with lag to read, and only then', async () => {
    const fakes: FakeConsumer[] = [];
    const kafka = { consumer: () => (fakes.push(new FakeConsumer()), fakes[fakes.length - 1]) } as unknown as Kafka;
    const consumer = new BatchConsumer(kafka, { topic: 't', groupId: 'g', log, partitionsConsumedConcurrently: 1 });
    const waiting: ReturnType<typeof deferred>[] = [];
    await consumer.start(() => {
      const d = deferred();
      waiting.push(d);
      return d.promise;
    });
    const later = Date.now() + 120_000;
    expect(await consumer.restartStalled(60_000, () => false, later)).toBe(false); // no lag: idle is fine
    await fakes[0].deliver(0, 0, 1);
    expect(await consumer.restartStalled(60_000, () => true, later)).toBe(false); // a batch waits for the database
    waiting[0].resolve();
    await settle();
    expect(await consumer.restartStalled(60_000, () => true, Date.now())).toBe(false); // it just committed
    expect(await consumer.restartStalled(60_000, () => true, later)).toBe(true);
    expect(fakes).toHaveLength(2);
    expect(fakes[0].disconnected).toBe(true);
    expect(fakes[1].eachBatch).toBeDefined(); // the new member runs with the same handler
    await fakes[1].deliver(0, 1, 1);
    expect(waiting).toHaveLength(2);
  });

  it('gives up an offset commit that does not return, so the batch stops counting as pending and a stall can be mended', async () => {
    const fakes: FakeConsumer[] = [];
    const kafka = { consumer: () => (fakes.push(new FakeConsumer()), fakes[fakes.length - 1]) } as unknown as Kafka;
    const registry = new Registry();
    const consumer = new BatchConsumer(kafka, {
      topic: 't',
      groupId: 'g',
      log,
      registry,
      partitionsConsumedConcurrently: 1,
      commitTimeoutMs: 50,
    });
    await consumer.start(async () => undefined); // stored at once
    fakes[0].commitHangs = true;
    await fakes[0].deliver(0, 0, 1);
    const later = Date.now() + 120_000;
    expect(await consumer.restartStalled(60_000, () => true, later)).toBe(false); // the commit is still in flight
    await new Promise((r) => setTimeout(r, 80));
    const commits = await registry.getSingleMetric('sipcap_kafka_commits_total')!.get();
    expect(commits.values).toEqual([expect.objectContaining({ labels: { result: 'timeout' }, value: 1 })]);
    expect(await consumer.restartStalled(60_000, () => true, later)).toBe(true);
    expect(fakes).toHaveLength(2);
  });

  it('watches for stalls on a timer until it stops', async () => {
    const fakes: FakeConsumer[] = [];
    const kafka = { consumer: () => (fakes.push(new FakeConsumer()), fakes[fakes.length - 1]) } as unknown as Kafka;
    const consumer = new BatchConsumer(kafka, { topic: 't', groupId: 'g', log, partitionsConsumedConcurrently: 1 });
    await consumer.start(async () => undefined);
    let lag = false;
    consumer.watchStalls(1, () => lag, 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(fakes).toHaveLength(1); // idle without lag: left alone
    lag = true;
    await new Promise((r) => setTimeout(r, 30));
    expect(fakes.length).toBeGreaterThan(1); // idle with lag: replaced
    await consumer.stop();
    const checks = vi.spyOn(consumer, 'restartStalled');
    await new Promise((r) => setTimeout(r, 30));
    expect(checks).not.toHaveBeenCalled(); // stopped: the timer is gone
  });
});
