import { Counter, type Registry } from 'prom-client';

/** libpcap's counters as node_pcap's session.stats() returns them (unsigned 32-bit, wrapping). */
export interface PcapStatsSample {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}

export interface PcapTotals {
  received: number;
  dropped: number;
  ifdropped: number;
}

const WRAP = 2 ** 32;

/** Increase from `before` to `now` of a 32-bit counter that may have wrapped once. */
export function counterDelta(before: number, now: number): number {
  return now >= before ? now - before : now + WRAP - before;
}

/**
 * libpcap's received / dropped counts as Prometheus counters. Polled (stats() is a syscall), turned into
 * increases so that the 32-bit kernel counters wrapping around do not show as resets.
 */
export class PcapStatsMetrics {
  readonly totals: PcapTotals = { received: 0, dropped: 0, ifdropped: 0 };
  private last: PcapStatsSample = { ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 };
  private readonly m;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.m = {
      received: new Counter({ name: 'sipcap_pcap_received_total', help: 'Packets received by libpcap (after the BPF filter)', registers }),
      dropped: new Counter({
        name: 'sipcap_pcap_dropped_total',
        help: 'Packets libpcap dropped because its buffer was full (the agent did not read fast enough)',
        registers,
      }),
      ifdropped: new Counter({
        name: 'sipcap_pcap_ifdropped_total',
        help: 'Packets dropped by the interface or its driver (when the platform reports it)',
        registers,
      }),
    };
  }

  update(now: PcapStatsSample): void {
    const r = counterDelta(this.last.ps_recv, now.ps_recv);
    const d = counterDelta(this.last.ps_drop, now.ps_drop);
    const i = counterDelta(this.last.ps_ifdrop, now.ps_ifdrop);
    this.last = { ps_recv: now.ps_recv, ps_drop: now.ps_drop, ps_ifdrop: now.ps_ifdrop };
    this.totals.received += r;
    this.totals.dropped += d;
    this.totals.ifdropped += i;
    this.m.received.inc(r);
    this.m.dropped.inc(d);
    this.m.ifdropped.inc(i);
  }
}
