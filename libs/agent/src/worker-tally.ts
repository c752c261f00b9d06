import type { StatsMessage } from './worker-messages';

/** A replaced worker that dies again within this long of being ready doubles the wait before the next. */
const FLAPPING_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;

/** Counters that are levels, not totals: a dead worker's value is not carried over. */
const LEVELS = new Set(['kafkaQueued']);

interface Slot {
  ready: boolean;
  last?: StatsMessage;
}

export interface WorkerExit {
  /** Replace it (it had been running), or give up (it died starting: a port in use, a refused setting). */
  restart: boolean;
  /** Records it held in its Kafka queue at its last report, lost with it. */
  lost: number;
}

/**
 * The primary's account of its workers, without I/O: who is ready, their latest counters, the totals of
 * workers that are gone (so the agent's counters never go backwards), and what a crash lost.
 */
export class WorkerTally {
  private readonly slots = new Map<number, Slot>();
  private readonly retired: Record<string, number> = {};
  /** By worker number, kept across replacements: when it was last ready, and the last restart delay. */
  private readonly readyAt = new Map<number, number>();
  private readonly delays = new Map<number, number>();
  restarts = 0;
  lostRecords = 0;

  started(index: number): void {
    this.slots.set(index, { ready: false });
  }

  ready(index: number, nowMs = Date.now()): void {
    const slot = this.slots.get(index);
    if (slot) slot.ready = true;
    this.readyAt.set(index, nowMs);
  }

  stats(index: number, m: StatsMessage): void {
    const slot = this.slots.get(index);
    if (slot) slot.last = m;
  }

  /** A worker exited; `expected` while the agent stops. */
  exited(index: number, expected: boolean): WorkerExit {
    const slot = this.slots.get(index);
    this.slots.delete(index);
    const counters = slot?.last?.counters ?? {};
    for (const [k, v] of Object.entries(counters)) if (!LEVELS.has(k)) this.retired[k] = (this.retired[k] ?? 0) + v;
    const lost = expected ? 0 : (counters.kafkaQueued ?? 0);
    if (expected) return { restart: false, lost };
    this.lostRecords += lost;
    const restart = slot?.ready === true;
    if (restart) this.restarts++;
    return { restart, lost };
  }

  /**
   * How long to wait before replacing worker `index`, which just died: 0.5 s, doubling up to 30 s while its
   * replacements keep dying within 10 s of being ready.
   */
  restartDelay(index: number, nowMs = Date.now()): number {
    const flapped = nowMs - (this.readyAt.get(index) ?? 0) < FLAPPING_MS;
    const delay = flapped
      ? Math.min(2 * (this.delays.get(index) ?? FIRST_RESTART_DELAY_MS / 2), MAX_RESTART_DELAY_MS)
      : FIRST_RESTART_DELAY_MS;
    this.delays.set(index, delay);
    return delay;
  }

  /** Workers running and listening. */
  get readyCount(): number {
    let n = 0;
    for (const s of this.slots.values()) if (s.ready) n++;
    return n;
  }

  /** The agent's counters: every worker's, those gone included. */
  counters(): Record<string, number> {
    const sum: Record<string, number> = { ...this.retired };
    for (const s of this.slots.values()) {
      for (const [k, v] of Object.entries(s.last?.counters ?? {})) sum[k] = (sum[k] ?? 0) + v;
    }
    sum.workerRestarts = this.restarts;
    sum.workerLostRecords = this.lostRecords;
    return sum;
  }

  /** The failing health checks of the workers, as `worker 1: kafka: <reason>`. */
  problems(): string[] {
    const out: string[] = [];
    for (const [i, s] of this.slots)
      for (const [name, why] of Object.entries(s.last?.problems ?? {})) out.push(`worker ${i}: ${name}: ${why}`);
    return out;
  }
}
