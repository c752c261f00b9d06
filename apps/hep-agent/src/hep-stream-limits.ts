import { Counter, Gauge, type Registry } from 'prom-client';
import type { HepStreamBudget } from '@sipcap/hep';
import type { Transport } from './hep-ingest';

type StreamTransport = Exclude<Transport, 'udp'>;

/** Labels of sipcap_hep_connections_refused_total: HEP_TCP_MAX_CONNECTIONS reached, HEP_TCP_MAX_PER_SOURCE reached. */
export const CONNECTION_REFUSED_REASONS = ['max_connections', 'per_source'] as const;
/**
 * Labels of sipcap_hep_connections_closed_total, the connections the agent cut: `idle` (no complete frame
 * for HEP_TCP_IDLE_TIMEOUT_S), `memory_budget` (a frame would exceed HEP_TCP_PENDING_MB), `handshake_timeout`
 * (TLS not done within HEP_TLS_HANDSHAKE_TIMEOUT_MS), `tls_error` (any other failed handshake).
 */
export const CONNECTION_CLOSED_REASONS = ['idle', 'memory_budget', 'handshake_timeout', 'tls_error'] as const;
export type ConnectionRefusedReason = (typeof CONNECTION_REFUSED_REASONS)[number];
export type ConnectionClosedReason = (typeof CONNECTION_CLOSED_REASONS)[number];

export interface HepStreamLimitSettings {
  /** HEP_TCP_MAX_PER_SOURCE: open connections from one source address, TCP and TLS together. */
  maxPerSource: number;
  /** HEP_TCP_PENDING_MB in bytes: incomplete frames held by all connections together. */
  pendingBytes: number;
  /** HEP_TCP_IDLE_TIMEOUT_S in ms: a connection without a complete frame for this long is closed. */
  idleTimeoutMs: number;
}

/** A connection as the limits see it: when it last completed a frame, and how to cut it. */
export interface LimitedConnection {
  lastFrameAt: number;
  close(reason: ConnectionClosedReason): void;
}

/**
 * The bounds of the HEP TCP/TLS servers of one agent, shared by both: open connections per source address,
 * one byte budget for the frames being assembled (a HepStreamBudget), and the idle sweep, which closes a
 * connection that completed no frame for the idle timeout (so one that trickles a frame slower than that
 * goes too). Counts what it refuses and closes.
 */
export class HepStreamLimits {
  private readonly perSource = new Map<string, number>();
  private readonly connections = new Set<LimitedConnection>();
  private held = 0;
  private readonly m;
  private timer: NodeJS.Timeout | undefined;

  readonly budget: HepStreamBudget = {
    reserve: (bytes) => {
      if (this.held + bytes > this.settings.pendingBytes) return false;
      this.held += bytes;
      return true;
    },
    release: (bytes) => {
      this.held -= bytes;
    },
  };

  constructor(
    private readonly settings: HepStreamLimitSettings,
    opts: { registry?: Registry; now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    const registers = opts.registry ? [opts.registry] : [];
    const held = () => this.held;
    this.m = {
      open: new Gauge({
        name: 'sipcap_hep_connections',
        help: 'Open HEP TCP/TLS connections, by transport',
        labelNames: ['transport'],
        registers,
      }),
      refused: new Counter({
        name: 'sipcap_hep_connections_refused_total',
        help: 'HEP TCP/TLS connections refused, by transport and reason (max_connections, per_source)',
        labelNames: ['transport', 'reason'],
        registers,
      }),
      closed: new Counter({
        name: 'sipcap_hep_connections_closed_total',
        help: 'HEP TCP/TLS connections closed by the agent, by transport and reason (idle, memory_budget, handshake_timeout, tls_error)',
        labelNames: ['transport', 'reason'],
        registers,
      }),
      pending: new Gauge({
        name: 'sipcap_hep_stream_pending_bytes',
        help: 'Bytes held for HEP TCP/TLS frames not yet complete (bounded by HEP_TCP_PENDING_MB)',
        registers,
        collect() {
          this.set(held());
        },
      }),
    };
    for (const transport of ['tcp', 'tls']) {
      this.m.open.set({ transport }, 0);
      for (const reason of CONNECTION_REFUSED_REASONS) this.m.refused.inc({ transport, reason }, 0);
      for (const reason of CONNECTION_CLOSED_REASONS) this.m.closed.inc({ transport, reason }, 0);
    }
  }

  private readonly now: () => number;

  /** Bytes held by all connections' incomplete frames. */
  get pendingBytes(): number {
    return this.held;
  }

  /** Takes a slot for a new connection from `source`; false (counted) when that source is at its cap. */
  admit(source: string, transport: StreamTransport): boolean {
    const n = this.perSource.get(source) ?? 0;
    if (n >= this.settings.maxPerSource) {
      this.refused(transport, 'per_source');
      return false;
    }
    this.perSource.set(source, n + 1);
    this.m.open.inc({ transport });
    return true;
  }

  /** Gives back the slot taken by admit(). */
  leave(source: string, transport: StreamTransport): void {
    const n = this.perSource.get(source) ?? 0;
    if (n <= 1) this.perSource.delete(source);
    else this.perSource.set(source, n - 1);
    this.m.open.dec({ transport });
  }

  /** Connections open from `source`. */
  openFrom(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  refused(transport: StreamTransport, reason: ConnectionRefusedReason): void {
    this.m.refused.inc({ transport, reason });
  }

  closed(transport: StreamTransport, reason: ConnectionClosedReason): void {
    this.m.closed.inc({ transport, reason });
  }

  /** Watches a connection for the idle timeout until forget(). */
  watch(c: LimitedConnection): void {
    c.lastFrameAt = this.now();
    this.connections.add(c);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), Math.max(100, Math.min(1000, this.settings.idleTimeoutMs / 4)));
      this.timer.unref();
    }
  }

  forget(c: LimitedConnection): void {
    this.connections.delete(c);
  }

  /** Closes every watched connection that completed no frame within the idle timeout; returns how many. */
  sweep(now = this.now()): number {
    let n = 0;
    for (const c of this.connections) {
      if (now - c.lastFrameAt < this.settings.idleTimeoutMs) continue;
      this.connections.delete(c);
      c.close('idle');
      n++;
    }
    return n;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
