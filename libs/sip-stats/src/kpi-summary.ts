import { CALL_OUTCOMES, type CallOutcome } from './kpi-sink';

/** One peer's KPIs, summed over nodes and over the stats instances read, since each instance started. */
export interface PeerKpis {
  peer: string;
  calls: Record<CallOutcome, number>;
  attempts: number;
  /** answered / attempts; undefined without attempts. */
  asr?: number;
  /** all but failed / attempts. */
  ner?: number;
  activeCalls: number;
  activeRegistrations: number;
  requests: number;
  retransmissions: number;
  /** Mean SRD and setup time, seconds; undefined without observations. */
  srdMean?: number;
  setupMean?: number;
}

const SAMPLE = /^([a-z_:][a-z0-9_:]*)(?:\{([^}]*)\})? ([^ ]+)/i;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The per-peer KPI table of `sipcap status`, from the Prometheus text of one or more stats instances'
 * /metrics (sums of counters and gauges: instances share the partitions, so their figures add up).
 */
export function summarizeKpis(metricsTexts: readonly string[]): PeerKpis[] {
  const peers = new Map<string, PeerKpis & { srd: [number, number]; setup: [number, number] }>();
  const peerOf = (name: string) => {
    let p = peers.get(name);
    if (!p) {
      const calls = Object.fromEntries(CALL_OUTCOMES.map((o) => [o, 0])) as Record<CallOutcome, number>;
      peers.set(
        name,
        (p = {
          peer: name,
          calls,
          attempts: 0,
          activeCalls: 0,
          activeRegistrations: 0,
          requests: 0,
          retransmissions: 0,
          srd: [0, 0],
          setup: [0, 0],
        }),
      );
    }
    return p;
  };
  for (const text of metricsTexts) {
    for (const line of text.split('\n')) {
      if (!line.startsWith('sipcap_')) continue;
      const m = SAMPLE.exec(line);
      if (!m) continue;
      const value = Number(m[3]);
      if (!Number.isFinite(value)) continue;
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
      if (labels.peer === undefined) continue;
      const p = peerOf(labels.peer);
      switch (m[1]) {
        case 'sipcap_calls_total':
          if ((CALL_OUTCOMES as readonly string[]).includes(labels.outcome)) p.calls[labels.outcome as CallOutcome] += value;
          break;
        case 'sipcap_calls_active':
          p.activeCalls += value;
          break;
        case 'sipcap_registrations_active':
          p.activeRegistrations += value;
          break;
        case 'sipcap_sip_requests_total':
          p.requests += value;
          break;
        case 'sipcap_sip_retransmissions_total':
          p.retransmissions += value;
          break;
        case 'sipcap_sip_srd_seconds_sum':
          p.srd[0] += value;
          break;
        case 'sipcap_sip_srd_seconds_count':
          p.srd[1] += value;
          break;
        case 'sipcap_call_setup_seconds_sum':
          p.setup[0] += value;
          break;
        case 'sipcap_call_setup_seconds_count':
          p.setup[1] += value;
          break;
      }
    }
  }
  return [...peers.values()]
    .map(({ srd, setup, ...p }) => {
      const attempts = CALL_OUTCOMES.reduce((n, o) => n + p.calls[o], 0);
      return {
        ...p,
        attempts,
        asr: attempts > 0 ? p.calls.answered / attempts : undefined,
        ner: attempts > 0 ? (attempts - p.calls.failed) / attempts : undefined,
        srdMean: srd[1] > 0 ? srd[0] / srd[1] : undefined,
        setupMean: setup[1] > 0 ? setup[0] / setup[1] : undefined,
      };
    })
    .sort((a, b) => (a.peer === 'other' ? 1 : b.peer === 'other' ? -1 : a.peer.localeCompare(b.peer)));
}
