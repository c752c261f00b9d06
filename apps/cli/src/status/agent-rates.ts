import type { AgentReport } from '@sipcap/fleet';

/**
 * Counters that are levels, not running totals: shown as they are, never as a rate. Agents report
 * `kafkaQueued`; any name ending in Queued, Queue, Connected, Open, InFlight, Size or Bytes* counts too.
 */
export function isGaugeCounter(name: string): boolean {
  return /(queued|queue|connected|open|inflight|size|buffered)$/i.test(name);
}

export interface AgentRates {
  /** Per-second rates of the running totals. */
  rates: Record<string, number>;
  /** The levels, as reported in the newest report. */
  gauges: Record<string, number>;
  /**
   * 'sample': from two reports of this agent (the difference over the time between them);
   * 'average': only one report was seen, so the total divided by the agent's uptime.
   */
  basis: 'sample' | 'average';
}

/**
 * Rates of one agent from its reports. Two distinct reports (`later` newer than `earlier`) give the
 * current rate; with one, the average since the agent started. A counter that went down (the agent
 * restarted) restarts from zero.
 */
export function agentRates(earlier: AgentReport, later?: AgentReport): AgentRates {
  const newest = later ?? earlier;
  const rates: Record<string, number> = {};
  const gauges: Record<string, number> = {};
  const t1 = Date.parse(earlier.updatedAt);
  const t2 = later ? Date.parse(later.updatedAt) : NaN;
  const sampled = later !== undefined && later.pid === earlier.pid && t2 > t1;
  const uptimeSec = (Date.parse(newest.updatedAt) - Date.parse(newest.startedAt)) / 1000;
  for (const [name, value] of Object.entries(newest.counters)) {
    if (isGaugeCounter(name)) {
      gauges[name] = value;
    } else if (sampled) {
      const before = earlier.counters[name] ?? 0;
      const delta = value >= before ? value - before : value;
      rates[name] = delta / ((t2 - t1) / 1000);
    } else {
      rates[name] = uptimeSec > 0 ? value / uptimeSec : 0;
    }
  }
  Object.assign(gauges, newest.gauges);
  return { rates, gauges, basis: sampled ? 'sample' : 'average' };
}
