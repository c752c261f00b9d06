import { describe, expect, it } from 'vitest';
import type { AgentReport } from '@sipcap/fleet';
import { agentRates, isGaugeCounter } from './agent-rates';

function report(updatedAt: string, counters: Record<string, number>, pid = 1): AgentReport {
  return {
    node: 'n',
    app: 'hep-agent',
    pid,
    host: 'h',
    captureOn: true,
    startedAt: '2025-01-01T00:00:00.000Z',
    updatedAt,
    intervalMs: 5000,
    counters,
  };
}

describe('agentRates', () => {
  it('divides the counter increase by the time between two reports', () => {
    const a = report('2025-01-01T00:01:00.000Z', { received: 1000, published: 900, kafkaQueued: 40 });
    const b = report('2025-01-01T00:01:05.000Z', { received: 1500, published: 1400, kafkaQueued: 7 });
    const r = agentRates(a, b);
    expect(r.basis).toBe('sample');
    expect(r.rates).toEqual({ received: 100, published: 100 });
    expect(r.gauges).toEqual({ kafkaQueued: 7 });
  });

  it('with one report, averages over the uptime', () => {
    const r = agentRates(report('2025-01-01T00:00:10.000Z', { received: 50 }));
    expect(r.basis).toBe('average');
    expect(r.rates.received).toBe(5);
  });

  it('a report no newer than the first, or from another process, falls back to the average', () => {
    const a = report('2025-01-01T00:00:10.000Z', { received: 50 });
    expect(agentRates(a, { ...a }).basis).toBe('average');
    expect(agentRates(a, report('2025-01-01T00:00:20.000Z', { received: 10 }, 2)).basis).toBe('average');
  });

  it('a counter that went down (restart) counts from zero', () => {
    const a = report('2025-01-01T00:00:10.000Z', { received: 500 });
    const b = report('2025-01-01T00:00:12.000Z', { received: 20 });
    expect(agentRates(a, b).rates.received).toBe(10);
  });

  it('knows the level counters', () => {
    expect(isGaugeCounter('kafkaQueued')).toBe(true);
    expect(isGaugeCounter('tcpConnectionsOpen')).toBe(true);
    expect(isGaugeCounter('received')).toBe(false);
    expect(isGaugeCounter('dropped')).toBe(false);
  });

  it('shows reported gauges as they are, never as rates', () => {
    const a = report('2025-01-01T00:00:10.000Z', { rowsInserted: 100 });
    const b = { ...report('2025-01-01T00:00:12.000Z', { rowsInserted: 300 }), gauges: { lagRecords: 7 } };
    const r = agentRates(a, b);
    expect(r.rates).toEqual({ rowsInserted: 100 });
    expect(r.gauges).toEqual({ lagRecords: 7 });
  });
});
