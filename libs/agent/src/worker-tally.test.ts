import { describe, expect, it } from 'vitest';
import type { StatsMessage } from './worker-messages';
import { WorkerTally } from './worker-tally';

const stats = (counters: Record<string, number>, problems: Record<string, string> = {}): StatsMessage => ({
  t: 'stats',
  metrics: [],
  counters,
  problems,
});

describe('WorkerTally', () => {
  it('sums the workers and keeps the totals of a dead one, but not its queue level', () => {
    const t = new WorkerTally();
    t.started(0);
    t.started(1);
    t.ready(0);
    t.ready(1);
    t.stats(0, stats({ received: 10, kafkaQueued: 3 }));
    t.stats(1, stats({ received: 5, kafkaQueued: 2 }));
    expect(t.counters()).toMatchObject({ received: 15, kafkaQueued: 5, workerRestarts: 0 });
    expect(t.exited(1, false)).toEqual({ restart: true, lost: 2 });
    t.started(1);
    t.stats(1, stats({ received: 1, kafkaQueued: 0 }));
    expect(t.counters()).toMatchObject({ received: 16, kafkaQueued: 3, workerRestarts: 1, workerLostRecords: 2 });
    expect(t.readyCount).toBe(1);
  });

  it('gives up on a worker that dies before it was ready (it cannot start), and counts nothing lost on a stop', () => {
    const t = new WorkerTally();
    t.started(0);
    expect(t.exited(0, false)).toEqual({ restart: false, lost: 0 });
    t.started(1);
    t.ready(1);
    t.stats(1, stats({ kafkaQueued: 7 }));
    expect(t.exited(1, true)).toEqual({ restart: false, lost: 0 });
    expect(t.counters()).toMatchObject({ workerRestarts: 0, workerLostRecords: 0 });
  });

  it('names the failing checks of each worker', () => {
    const t = new WorkerTally();
    t.started(0);
    t.started(1);
    t.stats(0, stats({}, { kafka: 'Kafka producer not connected' }));
    t.stats(1, stats({}));
    expect(t.problems()).toEqual(['worker 0: kafka: Kafka producer not connected']);
  });

  it('waits 0.5 s before a replacement, doubling up to 30 s while replacements die within 10 s of being ready', () => {
    const t = new WorkerTally();
    t.started(0);
    t.ready(0, 0);
    t.exited(0, false);
    expect(t.restartDelay(0, 60_000)).toBe(500); // it had run a minute
    const delays: number[] = [];
    let now = 60_000;
    for (let i = 0; i < 8; i++) {
      t.started(0);
      t.ready(0, now);
      now += 1_000; // dies a second after being ready
      t.exited(0, false);
      delays.push(t.restartDelay(0, now));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    t.started(0);
    t.ready(0, now);
    t.exited(0, false);
    expect(t.restartDelay(0, now + 60_000)).toBe(500); // ran long enough: back to the first delay
  });
});
