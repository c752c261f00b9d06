import type { Redis } from 'ioredis';
import { AGENT_KEY_PREFIX, parseAgentReport, type AgentReport } from './agent-report';

/** Keys fetched per SCAN step and per MGET. */
const BATCH = 200;

/**
 * Every live agent's last report, sorted by node then app. SCAN, not KEYS, so a large shared Redis is
 * never blocked; keys that expire between SCAN and MGET, and unreadable values, are skipped.
 */
export async function listAgents(redis: Redis): Promise<AgentReport[]> {
  const keys = new Set<string>(); // SCAN may return a key twice
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${AGENT_KEY_PREFIX}*`, 'COUNT', BATCH);
    for (const k of batch) keys.add(k);
    cursor = next;
  } while (cursor !== '0');

  const all = [...keys];
  const reports: AgentReport[] = [];
  for (let i = 0; i < all.length; i += BATCH) {
    const values = await redis.mget(all.slice(i, i + BATCH));
    for (const v of values) {
      const report = v === null ? null : parseAgentReport(v);
      if (report) reports.push(report);
    }
  }
  return reports.sort((a, b) => a.node.localeCompare(b.node) || a.app.localeCompare(b.app));
}
