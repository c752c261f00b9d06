import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WorkerMetricsBridge } from './worker-metrics-bridge';

/** A worker-side registry with one labelled counter, one plain counter and one gauge. */
function workerRegistry() {
  const registry = new Registry();
  const dropped = new Counter({ name: 'w_dropped_total', help: 'dropped', labelNames: ['reason'], registers: [registry] });
  const frames = new Counter({ name: 'w_frames_total', help: 'frames', registers: [registry] });
  const streams = new Gauge({ name: 'w_streams', help: 'streams', registers: [registry] });
  return { registry, dropped, frames, streams };
}

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels?.[k] === l))?.value;
}

describe('WorkerMetricsBridge', () => {
  it('sums counters and gauges over workers, counting each increase once', async () => {
    const main = new Registry();
    const bridge = new WorkerMetricsBridge(main);
    const a = workerRegistry();
    const b = workerRegistry();
    a.frames.inc(5);
    a.dropped.inc({ reason: 'bad_sip' }, 2);
    a.streams.set(3);
    b.frames.inc(7);
    b.streams.set(4);
    bridge.update(0, await a.registry.getMetricsAsJSON());
    bridge.update(1, await b.registry.getMetricsAsJSON());
    expect(await value(main, 'w_frames_total')).toBe(12);
    expect(await value(main, 'w_dropped_total', { reason: 'bad_sip' })).toBe(2);
    expect(await value(main, 'w_streams')).toBe(7);

    a.frames.inc(1);
    a.streams.set(1);
    bridge.update(0, await a.registry.getMetricsAsJSON());
    bridge.update(1, await b.registry.getMetricsAsJSON()); // unchanged: adds nothing
    expect(await value(main, 'w_frames_total')).toBe(13);
    expect(await value(main, 'w_streams')).toBe(5);
  });

  it('adds to a counter the main thread already has', async () => {
    const main = new Registry();
    const own = new Counter({ name: 'w_frames_total', help: 'frames', registers: [main] });
    own.inc(100);
    const bridge = new WorkerMetricsBridge(main);
    const a = workerRegistry();
    a.frames.inc(5);
    bridge.update(0, await a.registry.getMetricsAsJSON());
    expect(await value(main, 'w_frames_total')).toBe(105);
  });

  it('keeps the counts of a forgotten worker, drops its gauges and counts its replacement from zero', async () => {
    const main = new Registry();
    const bridge = new WorkerMetricsBridge(main);
    const old = workerRegistry();
    old.frames.inc(100);
    old.streams.set(9);
    bridge.update(0, await old.registry.getMetricsAsJSON());
    bridge.forget(0);
    expect(await value(main, 'w_streams')).toBe(0);
    const replacement = workerRegistry();
    replacement.frames.inc(150); // above the old worker's last value: still all new
    bridge.update(0, await replacement.registry.getMetricsAsJSON());
    expect(await value(main, 'w_frames_total')).toBe(250);
  });

  it('counts a labelled counter whose first snapshots had no series yet', async () => {
    const main = new Registry();
    const bridge = new WorkerMetricsBridge(main);
    const a = workerRegistry();
    bridge.update(0, await a.registry.getMetricsAsJSON()); // w_dropped_total has no series yet
    a.dropped.inc({ reason: 'bad_magic' }, 3);
    bridge.update(0, await a.registry.getMetricsAsJSON());
    expect(await value(main, 'w_dropped_total', { reason: 'bad_magic' })).toBe(3);
  });
});
