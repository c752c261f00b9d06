import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { HepStreamLimits, type ConnectionClosedReason, type LimitedConnection } from './hep-stream-limits';

function setup(settings = { maxPerSource: 2, pendingBytes: 1000, idleTimeoutMs: 5000 }) {
  let now = 1_000_000;
  const registry = new Registry();
  const limits = new HepStreamLimits(settings, { registry, now: () => now });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return m.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
  };
  return { limits, metric, advance: (ms: number) => (now += ms), now: () => now };
}

function conn(): LimitedConnection & { closedFor: ConnectionClosedReason[] } {
  const closedFor: ConnectionClosedReason[] = [];
  return { lastFrameAt: 0, closedFor, close: (r) => closedFor.push(r) };
}

describe('HepStreamLimits', () => {
  it('caps connections per source address, TCP and TLS together, counted; a slot comes back on leave', async () => {
    const { limits, metric } = setup();
    expect(limits.admit('192.0.2.1', 'tcp')).toBe(true);
    expect(limits.admit('192.0.2.1', 'tls')).toBe(true);
    expect(limits.admit('192.0.2.1', 'tcp')).toBe(false);
    expect(limits.admit('192.0.2.2', 'tcp')).toBe(true); // another source is not affected
    expect(await metric('sipcap_hep_connections_refused_total', { transport: 'tcp', reason: 'per_source' })).toBe(1);
    expect(await metric('sipcap_hep_connections', { transport: 'tcp' })).toBe(2);
    limits.leave('192.0.2.1', 'tcp');
    expect(limits.openFrom('192.0.2.1')).toBe(1);
    expect(limits.admit('192.0.2.1', 'tcp')).toBe(true);
    limits.leave('192.0.2.2', 'tcp');
    expect(limits.openFrom('192.0.2.2')).toBe(0);
  });

  it('shares one byte budget between all connections', async () => {
    const { limits, metric } = setup();
    expect(limits.budget.reserve(600)).toBe(true);
    expect(limits.budget.reserve(400)).toBe(true);
    expect(limits.budget.reserve(1)).toBe(false);
    expect(await metric('sipcap_hep_stream_pending_bytes')).toBe(1000);
    limits.budget.release(600);
    expect(limits.budget.reserve(500)).toBe(true);
    expect(limits.pendingBytes).toBe(900);
  });

  it('closes connections that completed no frame within the idle timeout, and only those', () => {
    const { limits, advance, now } = setup();
    const quiet = conn();
    const busy = conn();
    limits.watch(quiet);
    limits.watch(busy);
    advance(4000);
    busy.lastFrameAt = now();
    expect(limits.sweep()).toBe(0);
    advance(1000);
    expect(limits.sweep()).toBe(1);
    expect(quiet.closedFor).toEqual(['idle']);
    expect(busy.closedFor).toEqual([]);
    advance(4000);
    expect(limits.sweep()).toBe(1);
    expect(busy.closedFor).toEqual(['idle']);
    // Forgotten (closed by the peer) connections are not swept.
    const gone = conn();
    limits.watch(gone);
    limits.forget(gone);
    advance(10_000);
    expect(limits.sweep()).toBe(0);
    limits.stop();
  });
});
