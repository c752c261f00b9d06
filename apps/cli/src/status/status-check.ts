import type { StatusReport } from '../commands/status-command';

/** Exit code of `sipcap status --check` when a check fails (0: healthy, 1: Redis or Kafka could not be asked, 2: usage). */
export const CHECK_FAILED_EXIT = 3;

export interface StatusExpectations {
  /** --expect on|off: the capture flag must be in this state, and so must every agent. */
  capture?: boolean;
  /** --max-lag N: the writers' lag on the topic (Kafka messages) must be at most N. */
  maxLag: number;
  /** --max-lag-seconds N: the oldest message the writers have not stored is at most N seconds old. */
  maxLagSeconds?: number;
  /** --min-agents N: at least N agents reporting (not stale). */
  minAgents: number;
}

/**
 * What is wrong for a probe (Nagios, Kubernetes, a cron): the flag against the expected state, agents
 * missing, stale or disagreeing with the flag, no writer in the group, lag above the threshold. Empty: healthy.
 */
export function statusProblems(r: StatusReport, e: StatusExpectations): string[] {
  const problems: string[] = [];
  if (r.flag && e.capture !== undefined && (r.flag.state === 'on') !== e.capture)
    problems.push(`capture is ${r.flag.state}, expected ${e.capture ? 'on' : 'off'}`);
  if (r.agents) {
    const live = r.agents.filter((a) => !a.stale);
    if (live.length < e.minAgents)
      problems.push(`${live.length} agent${live.length === 1 ? '' : 's'} reporting, expected at least ${e.minAgents}`);
    for (const a of r.agents.filter((x) => x.stale))
      problems.push(`agent ${a.app} on ${a.node} (${a.host} pid ${a.pid}) has not reported for ${Math.round(a.ageMs / 1000)} s`);
    if (e.capture !== undefined) {
      for (const a of live.filter((x) => x.captureOn !== e.capture))
        problems.push(`agent ${a.app} on ${a.node} captures ${a.captureOn ? 'on' : 'off'}, expected ${e.capture ? 'on' : 'off'}`);
    }
  }
  const w = r.writers;
  if (w) {
    if (!w.topicExists) problems.push(`topic ${w.topic} does not exist`);
    else {
      if (w.offline?.length)
        problems.push(`${w.offline.length} partition(s) of ${w.topic} without a leader (p${w.offline.join(', p')}): records for them wait`);
      if (w.underReplicated?.length)
        problems.push(
          `${w.underReplicated.length} partition(s) of ${w.topic} missing a copy (p${w.underReplicated.join(', p')}): a broker is down or behind`,
        );
      if (!w.members) problems.push(`no db-writer in group ${w.group}`);
      if ((w.lag ?? 0) > e.maxLag) problems.push(`writers' lag ${w.lag} above ${e.maxLag}`);
      if (e.maxLagSeconds !== undefined && w.lag && (w.lagSeconds ?? 0) > e.maxLagSeconds)
        problems.push(`oldest unstored message ${Math.round(w.lagSeconds!)} s old, above ${e.maxLagSeconds} s`);
    }
  }
  for (const x of (r.writerInstances ?? []).filter((x) => x.stale))
    problems.push(`db-writer on ${x.host} (pid ${x.pid}) has not reported for ${Math.round(x.ageMs / 1000)} s`);
  return problems;
}
