import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { counterDelta, PcapStatsMetrics } from './pcap-stats';

describe('libpcap stats', () => {
  it('turns cumulative samples into counter increases', async () => {
    const registry = new Registry();
    const s = new PcapStatsMetrics(registry);
    s.update({ ps_recv: 100, ps_drop: 0, ps_ifdrop: 0 });
    s.update({ ps_recv: 250, ps_drop: 7, ps_ifdrop: 1 });
    expect(s.totals).toEqual({ received: 250, dropped: 7, ifdropped: 1 });
    const text = await registry.metrics();
    expect(text).toContain('sipcap_pcap_received_total 250');
    expect(text).toContain('sipcap_pcap_dropped_total 7');
    expect(text).toContain('sipcap_pcap_ifdropped_total 1');
  });

  it('counts across a 32-bit wrap of the kernel counter', () => {
    expect(counterDelta(2 ** 32 - 10, 5)).toBe(15);
    const s = new PcapStatsMetrics();
    s.update({ ps_recv: 2 ** 32 - 2, ps_drop: 0, ps_ifdrop: 0 });
    s.update({ ps_recv: 3, ps_drop: 0, ps_ifdrop: 0 });
    expect(s.totals.received).toBe(2 ** 32 + 3);
  });
});
