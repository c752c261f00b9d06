/** What each running agent writes to Redis for `sipcap status`. */
export interface AgentReport {
  node: string;
  app: string;
  pid: number;
  host: string;
  captureOn: boolean;
  /** ISO 8601 times. */
  startedAt: string;
  updatedAt: string;
  /** The report period; a report older than a few periods is stale. */
  intervalMs: number;
  /** Whatever the agent counts (received, published, dropped...): running totals, shown as rates. */
  counters: Record<string, number>;
  /** Levels (lag, partitions held, time of the last insert...): shown as they are. */
  gauges?: Record<string, number>;
  /** A consumer's group (db-writer): `sipcap status` shows the writers of its KAFKA_GROUP_ID. */
  group?: string;
}

export const AGENT_KEY_PREFIX = 'sipcap:agent:';

export function agentKey(node: string, app: string): string {
  return `${AGENT_KEY_PREFIX}${node}:${app}`;
}

/** Reads a stored report; null when it is not JSON or lacks a field (another writer, an older version). */
export function parseAgentReport(json: string): AgentReport | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  const strings = ['node', 'app', 'host', 'startedAt', 'updatedAt'] as const;
  if (!strings.every((k) => typeof r[k] === 'string')) return null;
  if (typeof r.pid !== 'number' || typeof r.intervalMs !== 'number' || typeof r.captureOn !== 'boolean') return null;
  if (typeof r.counters !== 'object' || r.counters === null || Array.isArray(r.counters)) return null;
  const numbers = (o: object) => Object.fromEntries(Object.entries(o).filter(([, n]) => typeof n === 'number')) as Record<string, number>;
  const gauges = typeof r.gauges === 'object' && r.gauges !== null && !Array.isArray(r.gauges) ? numbers(r.gauges) : undefined;
  return {
    node: r.node as string,
    app: r.app as string,
    pid: r.pid,
    host: r.host as string,
    captureOn: r.captureOn,
    startedAt: r.startedAt as string,
    updatedAt: r.updatedAt as string,
    intervalMs: r.intervalMs,
    counters: numbers(r.counters),
    ...(gauges && { gauges }),
    ...(typeof r.group === 'string' && { group: r.group }),
  };
}
