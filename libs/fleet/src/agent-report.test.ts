import { describe, it, expect } from 'vitest';
import { agentKey, parseAgentReport, type AgentReport } from './agent-report';

const report: AgentReport = {
  node: 'homer01',
  app: 'hep-agent',
  pid: 4242,
  host: 'box1',
  captureOn: true,
  startedAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:05.000Z',
  intervalMs: 5000,
  counters: { received: 10, published: 9, dropped: 1, rate: 2.5 },
};

describe('agentKey', () => {
  it('names the key after node and app under the sipcap:agent: prefix', () => {
    expect(agentKey('homer01', 'hep-agent')).toBe('sipcap:agent:homer01:hep-agent');
  });
});

describe('parseAgentReport', () => {
  it('reads back what JSON.stringify wrote', () => {
    expect(parseAgentReport(JSON.stringify(report))).toEqual(report);
  });

  it('drops counters that are not numbers and keeps the rest', () => {
    const parsed = parseAgentReport(JSON.stringify({ ...report, counters: { received: 3, note: 'x' } }));
    expect(parsed?.counters).toEqual({ received: 3 });
  });

  it('reads the levels (gauges) of a writer beside its counters, and leaves them out when absent', () => {
    const writer = { ...report, app: 'db-writer', group: 'sipcap-writers', gauges: { lagRecords: 40, partitions: 6, note: 'x' } };
    expect(parseAgentReport(JSON.stringify(writer))).toMatchObject({ group: 'sipcap-writers', gauges: { lagRecords: 40, partitions: 6 } });
    expect(parseAgentReport(JSON.stringify(writer))?.gauges).not.toHaveProperty('note');
    expect(parseAgentReport(JSON.stringify(report))).not.toHaveProperty('gauges');
  });

  it('rejects non-JSON, non-objects and reports missing or mistyped fields', () => {
    expect(parseAgentReport('not json')).toBeNull();
    expect(parseAgentReport('42')).toBeNull();
    expect(parseAgentReport('null')).toBeNull();
    const { pid: _pid, ...noPid } = report;
    expect(parseAgentReport(JSON.stringify(noPid))).toBeNull();
    expect(parseAgentReport(JSON.stringify({ ...report, captureOn: 'yes' }))).toBeNull();
    expect(parseAgentReport(JSON.stringify({ ...report, counters: [1, 2] }))).toBeNull();
    expect(parseAgentReport(JSON.stringify({ ...report, node: 7 }))).toBeNull();
  });
});
