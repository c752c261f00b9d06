import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { KpiMetrics } from './kpi-metrics';

describe('KpiMetrics', () => {
  it('keeps the node label bounded: past 64 capture nodes the rest count as other', async () => {
    const registry = new Registry();
    const m = new KpiMetrics(registry);
    for (let i = 0; i < 70; i++) m.request(`node${i}`, 'p', 'INVITE');
    const values = (await registry.getSingleMetric('sipcap_sip_requests_total')!.get()).values;
    expect(values).toHaveLength(65);
    expect(values.find((v) => v.labels.node === 'other')?.value).toBe(6);
  });

  it('starts every outcome of a node and peer at 0 with its first call, and counts by label', async () => {
    const registry = new Registry();
    const m = new KpiMetrics(registry);
    m.callOutcome('n', 'p', 'busy');
    m.response('n', 'p', 'INVITE', 486);
    m.retransmission('n', 'p', 'INVITE', 'response');
    const calls = (await registry.getSingleMetric('sipcap_calls_total')!.get()).values;
    expect(Object.fromEntries(calls.map((v) => [v.labels.outcome, v.value]))).toEqual({
      answered: 0,
      busy: 1,
      no_answer: 0,
      cancelled: 0,
      rejected: 0,
      failed: 0,
    });
    expect((await registry.getSingleMetric('sipcap_sip_responses_total')!.get()).values).toEqual([
      { value: 1, labels: { node: 'n', peer: 'p', method: 'INVITE', code: '486' } },
    ]);
    expect((await registry.getSingleMetric('sipcap_sip_retransmissions_total')!.get()).values).toEqual([
      { value: 1, labels: { node: 'n', peer: 'p', method: 'INVITE', type: 'response' } },
    ]);
  });
});
