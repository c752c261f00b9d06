import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { KpiMetrics } from './kpi-metrics';
import { summarizeKpis } from './kpi-summary';

async function instance(fill: (m: KpiMetrics) => void): Promise<string> {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'stats' });
  const m = new KpiMetrics(registry);
  fill(m);
  return registry.metrics();
}

describe('summarizeKpis', () => {
  it('sums two instances per peer (over nodes) into attempts, ASR, NER, actives and mean SRD/setup', async () => {
    const a = await instance((m) => {
      m.callOutcome('n1', 'carrierA', 'answered');
      m.callOutcome('n2', 'carrierA', 'busy');
      m.callOutcome('n1', 'carrierB', 'failed');
      m.request('n1', 'carrierA', 'INVITE');
      m.retransmission('n1', 'carrierA', 'INVITE', 'request');
      m.srd('n1', 'carrierA', 0.5);
      m.callSetup('n1', 'carrierA', 3);
      m.activeCalls('n1', 'carrierA', 1);
    });
    const b = await instance((m) => {
      m.callOutcome('n1', 'carrierA', 'answered');
      m.callOutcome('n1', 'carrierA', 'failed');
      m.srd('n1', 'carrierA', 1.5);
      m.activeRegistrations('n1', 'other', 2);
    });
    const rows = summarizeKpis([a, b]);
    expect(rows.map((r) => r.peer)).toEqual(['carrierA', 'carrierB', 'other']);
    expect(rows[0]).toMatchObject({
      attempts: 4,
      asr: 0.5,
      ner: 0.75,
      activeCalls: 1,
      requests: 1,
      retransmissions: 1,
      srdMean: 1,
      setupMean: 3,
    });
    expect(rows[0].calls).toEqual({ answered: 2, busy: 1, no_answer: 0, cancelled: 0, rejected: 0, failed: 1 });
    expect(rows[1]).toMatchObject({ attempts: 1, asr: 0, ner: 0 });
    expect(rows[2]).toMatchObject({ attempts: 0, asr: undefined, activeRegistrations: 2, srdMean: undefined });
  });

  it('reads nothing from text without stats metrics', () => {
    expect(summarizeKpis(['# HELP x\nprocess_cpu_seconds_total 3\n', ''])).toEqual([]);
  });
});
