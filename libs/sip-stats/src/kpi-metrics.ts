import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  ANOMALY_REASONS,
  CALL_OUTCOMES,
  DROP_REASONS,
  STATE_KINDS,
  type AnomalyReason,
  type CallOutcome,
  type DropReason,
  type KpiSink,
  type StateKind,
} from './kpi-sink';
import type { QualitySample } from './rtcp-quality';

/** Histogram buckets, seconds (SRD/RRD per RFC 6076 scale; durations up to 2 h). */
export const BUCKETS = {
  srd: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30],
  rrd: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  setup: [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120],
  duration: [5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
  jitter: [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
  loss: [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
  mos: [1, 1.5, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.4, 4.5],
};

/** Distinct `node` label values kept; further capture nodes are `other` (the label stays bounded). */
const MAX_NODES = 64;

type CounterChild = { inc(n?: number): void };
type HistogramChild = { observe(v: number): void };
type GaugeChild = { inc(n?: number): void };
type Tree2<T> = Map<string, Map<string, T>>;
type Tree3<T> = Map<string, Map<string, Map<string, T>>>;

function get2<T>(t: Tree2<T>, a: string, b: string, make: () => T): T {
  let m = t.get(a);
  if (!m) t.set(a, (m = new Map()));
  let v = m.get(b);
  if (v === undefined) m.set(b, (v = make()));
  return v;
}

function get3<T>(t: Tree3<T>, a: string, b: string, c: string, make: () => T): T {
  let m = t.get(a);
  if (!m) t.set(a, (m = new Map()));
  let n = m.get(b);
  if (!n) m.set(b, (n = new Map()));
  let v = n.get(c);
  if (v === undefined) n.set(c, (v = make()));
  return v;
}

/**
 * The KPI metrics of the stats app (names in README.md, "Stats"), a KpiSink for the SipTracker. Label
 * children are cached by their values, so a message costs a few Map lookups per figure, not prom-client's
 * label hashing.
 */
export class KpiMetrics implements KpiSink {
  private readonly nodes = new Set<string>();
  readonly requests: Counter<'node' | 'peer' | 'method'>;
  readonly responses: Counter<'node' | 'peer' | 'method' | 'code'>;
  readonly retransmissions: Counter<'node' | 'peer' | 'method' | 'type'>;
  readonly calls: Counter<'node' | 'peer' | 'outcome'>;
  readonly srdH: Histogram<'node' | 'peer'>;
  readonly rrdH: Histogram<'node' | 'peer'>;
  readonly setupH: Histogram<'node' | 'peer'>;
  readonly durationH: Histogram<'node' | 'peer'>;
  readonly callsActive: Gauge<'node' | 'peer'>;
  readonly registrationsActive: Gauge<'node' | 'peer'>;
  readonly jitter: Histogram<'node' | 'peer'>;
  readonly loss: Histogram<'node' | 'peer'>;
  readonly mos: Histogram<'node' | 'peer'>;
  readonly anomalies: Counter<'reason'>;
  readonly dropped: Counter<'kind' | 'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const np = ['node', 'peer'] as const;
    this.requests = new Counter({
      name: 'sipcap_sip_requests_total',
      help: 'SIP requests (retransmissions not included), by capture node, peer and method',
      labelNames: ['node', 'peer', 'method'],
      registers,
    });
    this.responses = new Counter({
      name: 'sipcap_sip_responses_total',
      help: 'SIP replies (retransmissions not included), by capture node, peer, CSeq method and status code',
      labelNames: ['node', 'peer', 'method', 'code'],
      registers,
    });
    this.retransmissions = new Counter({
      name: 'sipcap_sip_retransmissions_total',
      help: 'Repeats of a request or reply of a transaction within STATS_RETRANS_WINDOW_S, by method and type (request, response)',
      labelNames: ['node', 'peer', 'method', 'type'],
      registers,
    });
    this.calls = new Counter({
      name: 'sipcap_calls_total',
      help: 'Call attempts by outcome (answered, busy, no_answer, cancelled, rejected, failed)',
      labelNames: ['node', 'peer', 'outcome'],
      registers,
    });
    this.srdH = new Histogram({
      name: 'sipcap_sip_srd_seconds',
      help: 'Session request delay: initial INVITE to its first 18x or 2xx (RFC 6076)',
      labelNames: np,
      buckets: BUCKETS.srd,
      registers,
    });
    this.rrdH = new Histogram({
      name: 'sipcap_sip_rrd_seconds',
      help: 'Registration request delay: first REGISTER (before any challenge) to its final reply (RFC 6076)',
      labelNames: np,
      buckets: BUCKETS.rrd,
      registers,
    });
    this.setupH = new Histogram({
      name: 'sipcap_call_setup_seconds',
      help: 'Call setup time: first INVITE (before any challenge) to the 2xx',
      labelNames: np,
      buckets: BUCKETS.setup,
      registers,
    });
    this.durationH = new Histogram({
      name: 'sipcap_call_duration_seconds',
      help: 'Call duration: 2xx of the INVITE to the BYE',
      labelNames: np,
      buckets: BUCKETS.duration,
      registers,
    });
    this.callsActive = new Gauge({
      name: 'sipcap_calls_active',
      help: 'Answered calls without BYE yet (partitions this instance holds)',
      labelNames: np,
      registers,
    });
    this.registrationsActive = new Gauge({
      name: 'sipcap_registrations_active',
      help: 'AORs with an unexpired 2xx to REGISTER (partitions this instance holds)',
      labelNames: np,
      registers,
    });
    this.jitter = new Histogram({
      name: 'sipcap_rtcp_jitter_seconds',
      help: 'Interarrival jitter of RTCP report blocks (STATS_RTP_CLOCK_HZ)',
      labelNames: np,
      buckets: BUCKETS.jitter,
      registers,
    });
    this.loss = new Histogram({
      name: 'sipcap_rtcp_fraction_lost_ratio',
      help: 'Fraction lost of RTCP report blocks (0..1)',
      labelNames: np,
      buckets: BUCKETS.loss,
      registers,
    });
    this.mos = new Histogram({
      name: 'sipcap_rtcp_mos',
      help: 'MOS per RTCP report block: RTCP-XR MOS-CQ, else estimated from jitter and loss (E-model)',
      labelNames: np,
      buckets: BUCKETS.mos,
      registers,
    });
    this.anomalies = new Counter({
      name: 'sipcap_stats_unexpected_total',
      help: 'Messages counted instead of guessed: unknown transaction or call, malformed CSeq/status, undecodable records',
      labelNames: ['reason'],
      registers,
    });
    this.dropped = new Counter({
      name: 'sipcap_stats_state_dropped_total',
      help: 'Call, transaction and registration state dropped (expired, evicted, full, rebalance)',
      labelNames: ['kind', 'reason'],
      registers,
    });
    for (const r of ANOMALY_REASONS) this.anomalies.inc({ reason: r }, 0);
    for (const k of STATE_KINDS) for (const r of DROP_REASONS) this.dropped.inc({ kind: k, reason: r }, 0);
  }

  private node(n: string): string {
    if (this.nodes.has(n)) return n;
    if (this.nodes.size >= MAX_NODES) return 'other';
    this.nodes.add(n);
    return n;
  }

  // Label children, cached per label value in nested Maps (no key string built per message).
  private readonly reqC: Tree3<CounterChild> = new Map();
  private readonly resC: Tree3<Map<number, CounterChild>> = new Map();
  private readonly retC: Tree3<Map<string, CounterChild>> = new Map();
  private readonly callC: Tree3<CounterChild> = new Map();
  private readonly obsC = new Map<Histogram<'node' | 'peer'>, Tree2<HistogramChild>>();
  private readonly activeC = new Map<Gauge<'node' | 'peer'>, Tree2<GaugeChild>>();

  request(node: string, peer: string, method: string): void {
    const n = this.node(node);
    get3(this.reqC, n, peer, method, () => this.requests.labels(n, peer, method)).inc();
  }
  response(node: string, peer: string, method: string, code: number): void {
    const n = this.node(node);
    const byCode = get3(this.resC, n, peer, method, () => new Map());
    let c = byCode.get(code);
    if (!c) byCode.set(code, (c = this.responses.labels(n, peer, method, String(code))));
    c.inc();
  }
  retransmission(node: string, peer: string, method: string, type: 'request' | 'response'): void {
    const n = this.node(node);
    const byType = get3(this.retC, n, peer, method, () => new Map());
    let c = byType.get(type);
    if (!c) byType.set(type, (c = this.retransmissions.labels(n, peer, method, type)));
    c.inc();
  }
  callOutcome(node: string, peer: string, outcome: CallOutcome): void {
    const n = this.node(node);
    // Every outcome of a node and peer from its first call on: ASR/NER rates see each series from 0.
    if (!this.callC.get(n)?.get(peer))
      for (const o of CALL_OUTCOMES) get3(this.callC, n, peer, o, () => this.calls.labels(n, peer, o)).inc(0);
    get3(this.callC, n, peer, outcome, () => this.calls.labels(n, peer, outcome)).inc();
  }
  private observe(h: Histogram<'node' | 'peer'>, node: string, peer: string, v: number): void {
    const n = this.node(node);
    let tree = this.obsC.get(h);
    if (!tree) this.obsC.set(h, (tree = new Map()));
    get2(tree, n, peer, () => h.labels(n, peer)).observe(v);
  }
  private gauge(g: Gauge<'node' | 'peer'>, node: string, peer: string, delta: number): void {
    const n = this.node(node);
    let tree = this.activeC.get(g);
    if (!tree) this.activeC.set(g, (tree = new Map()));
    get2(tree, n, peer, () => g.labels(n, peer)).inc(delta);
  }
  srd(node: string, peer: string, s: number): void {
    this.observe(this.srdH, node, peer, s);
  }
  rrd(node: string, peer: string, s: number): void {
    this.observe(this.rrdH, node, peer, s);
  }
  callSetup(node: string, peer: string, s: number): void {
    this.observe(this.setupH, node, peer, s);
  }
  callDuration(node: string, peer: string, s: number): void {
    this.observe(this.durationH, node, peer, s);
  }
  activeCalls(node: string, peer: string, delta: number): void {
    this.gauge(this.callsActive, node, peer, delta);
  }
  activeRegistrations(node: string, peer: string, delta: number): void {
    this.gauge(this.registrationsActive, node, peer, delta);
  }
  quality(node: string, peer: string, s: QualitySample): void {
    this.observe(this.jitter, node, peer, s.jitterS);
    this.observe(this.loss, node, peer, s.fractionLost);
    this.observe(this.mos, node, peer, s.mos);
  }
  anomaly(reason: AnomalyReason): void {
    this.anomalies.inc({ reason });
  }
  stateDropped(kind: StateKind, reason: DropReason, count = 1): void {
    this.dropped.inc({ kind, reason }, count);
  }
}
