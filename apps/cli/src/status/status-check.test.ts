import { describe, expect, it } from 'vitest';
import type { AgentStatus, StatusReport } from '../commands/status-command';
import { statusProblems } from './status-check';

const agent = (over: Partial<AgentStatus> = {}): AgentStatus =>
  ({
    node: 'n1',
    app: 'hep-agent',
    pid: 1,
    host: 'h',
    captureOn: true,
    updatedAt: '',
    startedAt: '',
    ageMs: 100,
    stale: false,
    counters: {},
    rates: {},
    gauges: {},
    basis: 'sample',
    ...over,
  }) as AgentStatus;
const healthy: StatusReport = {
  flag: { key: 'capture_on', state: 'on', source: 'key', raw: 'on', captureOnDefault: false },
  agents: [agent()],
  writers: { group: 'g', topic: 't', topicExists: true, lag: 10, members: 1, groupState: 'Stable' },
  errors: [],
};

describe('statusProblems', () => {
  it('finds nothing wrong with a healthy node', () => {
    expect(statusProblems(healthy, { capture: true, maxLag: 100, minAgents: 1 })).toEqual([]);
  });
  it('names each problem', () => {
    const r: StatusReport = {
      ...healthy,
      agents: [agent({ stale: true, ageMs: 16_000 })],
      writers: { ...healthy.writers!, members: 0, lag: 500 },
    };
    expect(statusProblems(r, { capture: false, maxLag: 100, minAgents: 1 })).toEqual([
      'capture is on, expected off',
      '0 agents reporting, expected at least 1',
      'agent hep-agent on n1 (h pid 1) has not reported for 16 s',
      'no db-writer in group g',
      "writers' lag 500 above 100",
    ]);
  });
  it('checks a missing topic and agents that disagree with the expected state', () => {
    const r: StatusReport = { ...healthy, agents: [agent({ captureOn: false })], writers: { group: 'g', topic: 't', topicExists: false } };
    expect(statusProblems(r, { capture: true, maxLag: 100, minAgents: 1 })).toEqual([
      'agent hep-agent on n1 captures off, expected on',
      'topic t does not exist',
    ]);
  });

  it('checks the age of the oldest unstored message and stale writer reports', () => {
    const r: StatusReport = {
      ...healthy,
      writers: { ...healthy.writers!, lag: 40, lagRecords: 110, lagSeconds: 420 },
      writerInstances: [agent({ app: 'db-writer', host: 'w1', pid: 7, stale: true, ageMs: 12_000 })],
    };
    expect(statusProblems(r, { maxLag: 100, maxLagSeconds: 300, minAgents: 1 })).toEqual([
      'oldest unstored message 420 s old, above 300 s',
      'db-writer on w1 (pid 7) has not reported for 12 s',
    ]);
    // Caught up: an age from before does not count.
    const caughtUp: StatusReport = { ...healthy, writers: { ...healthy.writers!, lag: 0, lagSeconds: 420 } };
    expect(statusProblems(caughtUp, { maxLag: 100, maxLagSeconds: 300, minAgents: 1 })).toEqual([]);
  });

  it('names partitions missing a copy and partitions without a leader (a broker down)', () => {
    const r: StatusReport = { ...healthy, writers: { ...healthy.writers!, underReplicated: [1, 4], offline: [4] } };
    expect(statusProblems(r, { maxLag: 100, minAgents: 1 })).toEqual([
      '1 partition(s) of t without a leader (p4): records for them wait',
      '2 partition(s) of t missing a copy (p1, p4): a broker is down or behind',
    ]);
  });
});
