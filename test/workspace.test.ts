import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The Nx project graph must see the @sipcap/* imports, so `nx affected` rebuilds and retests the right apps.
describe('Nx workspace', () => {
  it('shows the apps depending on the libs they import', () => {
    const r = spawnSync('npx', ['nx', 'graph', '--file=test-results/graph.json'], {
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const deps: Record<string, { target: string }[]> = JSON.parse(readFileSync('test-results/graph.json', 'utf8')).graph.dependencies;
    const targets = (p: string) => deps[p].map((d) => d.target);
    expect(targets('hep-agent')).toEqual(expect.arrayContaining(['config', 'agent', 'hep']));
    expect(targets('db-writer')).toEqual(expect.arrayContaining(['config', 'telemetry', 'bus', 'store']));
    // The agent lib runs the agents (one process or a primary and workers) inside the telemetry frame.
    expect(targets('agent')).toEqual(expect.arrayContaining(['sip', 'record', 'bus', 'capture-flag', 'telemetry']));
    expect(targets('record')).toContain('sip');
    // The readers share the schema lib with the writer, not the writer itself; the fleet report is its own lib.
    expect(targets('search')).toContain('schema');
    expect(targets('search')).not.toContain('store');
    expect(targets('store')).toContain('schema');
    expect(targets('agent')).toContain('fleet');
    expect(targets('db-writer')).toContain('fleet');
  });
});
