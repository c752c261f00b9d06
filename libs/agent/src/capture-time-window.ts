import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/**
 * A capture time is the sender's word (HEP carries the sender's clock). Outside a window around the
 * agent's clock it would file the message under a day nobody searches and, at the writer, ask for a
 * table or partition of that day: such a time is replaced by the receive time, and the original is
 * counted and logged (the first few). 0 turns the check off (e.g. replaying an old capture file).
 */
export class CaptureTimeWindow {
  private readonly windowMs: number;
  private readonly replaced?: Counter<'direction'>;
  private logged = 0;
  /** Plain totals (tests, `sipcap status`). */
  readonly totals = { past: 0, future: 0 };

  constructor(
    windowSeconds: number,
    private readonly opts: { log?: Logger; registry?: Registry; now?: () => number } = {},
  ) {
    this.windowMs = windowSeconds * 1000;
    if (opts.registry) {
      this.replaced = new Counter({
        name: 'sipcap_capture_time_replaced_total',
        help: 'Captured messages whose time lay outside CAPTURE_TIME_WINDOW_S of the agent clock and were given the receive time, by direction',
        labelNames: ['direction'],
        registers: [opts.registry],
      });
      for (const d of ['past', 'future'] as const) this.replaced.inc({ direction: d }, 0);
    }
  }

  get enabled(): boolean {
    return this.windowMs > 0;
  }

  /** The time to store, in microseconds: `microTs` when within the window, else the agent's clock. */
  check(microTs: bigint, srcIp?: string, srcPort?: number): bigint {
    if (this.windowMs === 0) return microTs;
    const now = (this.opts.now ?? Date.now)();
    const ms = Number(microTs) / 1000;
    if (ms >= now - this.windowMs && ms <= now + this.windowMs) return microTs;
    const direction = ms < now ? 'past' : 'future';
    this.totals[direction]++;
    this.replaced?.inc({ direction });
    if (this.logged < 10 && this.opts.log) {
      this.logged++;
      const original = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(microTs);
      this.opts.log.warn(
        { original, microTs: String(microTs), src: `${srcIp}:${srcPort}`, windowS: this.windowMs / 1000 },
        'capture time outside the window: stored with the receive time (first 10 logged)',
      );
    }
    return BigInt(Math.floor(now)) * 1000n;
  }
}
