import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ReportTableRouter } from './report-table-name';
import { RetentionPlan } from './retention-plan';
import type { RetentionResult, Store } from './store';
import { TableRouter } from './table-name';
import { TableUpkeep } from './table-upkeep';

function setup(results: (RetentionResult | Error)[], days = 7) {
  const ensured: string[] = [];
  const store = {
    ensureOffsetsTable: async () => undefined,
    ensureTable: async (t: string) => void ensured.push(t),
    applyRetention: async () => {
      const r = results.shift()!;
      if (r instanceof Error) throw r;
      return r;
    },
  } as unknown as Store;
  const registry = new Registry();
  const templates = ['sip_capture_%Y%m%d', 'rtcp_capture'];
  const upkeep = new TableUpkeep({
    store,
    router: new TableRouter({ tableName: 'sip_capture_%Y%m%d' }),
    reportRouter: new ReportTableRouter({ rtcp: 'rtcp_capture' }),
    retention: new RetentionPlan({ defaultDays: days, templates, overrides: [] }),
    dayPartitions: true,
    log: pino({ level: 'silent' }),
    registry,
  });
  const count = async (name: string, result?: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => result === undefined || v.labels.result === result)?.value;
  return { upkeep, ensured, count };
}

describe('TableUpkeep', () => {
  it('prepares the tables, runs the retention and counts each result: done, locked (another writer), failed', async () => {
    const { upkeep, ensured, count } = setup([
      { locked: true, dropped: ['sip_capture_20250101'], defaultRowsDeleted: 0 },
      { locked: false, dropped: [], defaultRowsDeleted: 0 },
      new Error('connection refused'),
    ]);
    await upkeep.run();
    expect(ensured).toContain('rtcp_capture');
    expect(ensured.some((t) => /^sip_capture_\d{8}$/.test(t))).toBe(true);
    await upkeep.run();
    await upkeep.run(); // the failure is counted, not thrown
    expect(await count('sipcap_retention_runs_total', 'done')).toBe(1);
    expect(await count('sipcap_retention_runs_total', 'locked')).toBe(1);
    expect(await count('sipcap_retention_runs_total', 'failed')).toBe(1);
    expect(await count('sipcap_retention_dropped_total')).toBe(1);
  });

  it('dropExpired (the disk guard) returns what was dropped and lets the error through', async () => {
    const { upkeep } = setup([{ locked: true, dropped: ['a', 'b'], defaultRowsDeleted: 3 }, new Error('down')]);
    expect(await upkeep.dropExpired()).toEqual(['a', 'b']);
    await expect(upkeep.dropExpired()).rejects.toThrow('down');
  });
});
