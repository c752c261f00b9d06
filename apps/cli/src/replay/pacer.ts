/** How fast replay sends: a fixed rate, as fast as possible, or the capture's own timing. */
export type Pace = { kind: 'rate'; perSecond: number } | { kind: 'fast' } | { kind: 'realtime' };

/**
 * Decides when each message goes out. Send times are absolute (start + n/rate, or start + the capture
 * time elapsed since the first message), so a late timer is caught up on the next messages instead of
 * slowing the whole replay. Pure: the caller passes the clock.
 */
export class Pacer {
  private startMs = NaN;
  private firstTs = 0n;
  private sent = 0;

  constructor(readonly pace: Pace) {}

  /** Milliseconds to wait before sending the next message (captured at `tsMicros`); 0 to send now. */
  delay(nowMs: number, tsMicros: bigint): number {
    if (Number.isNaN(this.startMs)) {
      this.startMs = nowMs;
      this.firstTs = tsMicros;
    }
    let due: number;
    switch (this.pace.kind) {
      case 'fast':
        return 0;
      case 'rate':
        due = this.startMs + (this.sent++ * 1000) / this.pace.perSecond;
        break;
      case 'realtime':
        // A capture may hold a message older than the first (merged files): it goes at once.
        due = this.startMs + Math.max(0, Number(tsMicros - this.firstTs) / 1000);
        break;
    }
    return Math.max(0, due - nowMs);
  }

  /** Starts the timing again (each loop of a realtime replay plays the capture's timing again). */
  restart(): void {
    this.startMs = NaN;
    this.sent = 0;
  }
}
