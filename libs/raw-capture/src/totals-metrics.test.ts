import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readGauge, snakeCase, totalsCounter } from './totals-metrics';

describe('totals metrics', () => {
  it('reports the current totals at each scrape', async () => {
    const registry = new Registry();
    const totals = { frames: 3, failed: { truncated: 1, 'bad-header': 0 } as Record<string, number> };
    totalsCounter(registry, 't_frames_total', 'frames', () => totals.frames);
    totalsCounter(registry, 't_failed_total', 'failed', { label: 'reason', read: () => totals.failed });
    readGauge(registry, 't_gauge', 'gauge', () => totals.frames * 2);
    expect(await registry.metrics()).toContain('t_frames_total 3');
    totals.frames = 10;
    totals.failed.truncated = 4;
    const text = await registry.metrics();
    expect(text).toContain('t_frames_total 10');
    expect(text).toContain('t_failed_total{reason="truncated"} 4');
    expect(text).toContain('t_failed_total{reason="bad_header"} 0');
    expect(text).toContain('t_gauge 20');
  });

  it('turns counter field names into label values', () => {
    expect(snakeCase('timedOut')).toBe('timed_out');
    expect(snakeCase('unsupported-linktype')).toBe('unsupported_linktype');
  });
});
