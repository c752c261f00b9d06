import { redactUrl } from '@sipcap/config';
import type { CliIo } from '../cli-io';
import type { AgentStatus, KpisStatus, StatusReport } from '../commands/status-command';
import { describeFlag } from '../commands/capture-command';
import { formatCount, formatDuration, formatRate, formatTable } from './format-table';

/** `sipcap status` as text: the flag, the agents, the Kafka cluster, the writers, the KPIs. */
export function printStatus(io: CliIo, r: StatusReport, sampleMs: number, redisUrl: string): void {
  const lines: string[] = [];
  if (r.flag) lines.push(`capture: ${describeFlag(r.flag)}`);
  else lines.push('capture: unknown (Redis unreachable)');

  if (r.agents === undefined) {
    lines.push('agents: unknown (Redis unreachable)');
  } else if (r.agents.length === 0) {
    lines.push(
      `agents: none seen (running agents report to ${redactUrl(redisUrl)} every few seconds; are they pointed at this REDIS_URL?)`,
    );
  } else {
    const basis =
      sampleMs > 0
        ? `per second over ${formatDuration(sampleMs)}; "avg": since start, when no new report came in`
        : 'per second since start';
    lines.push(`agents: ${r.agents.length} seen; counters: total since start (rate ${basis})`);
    const rows = r.agents.map((a) => [
      a.node,
      a.app,
      String(a.pid),
      a.host,
      a.captureOn ? 'on' : 'off',
      formatDuration(a.ageMs) + (a.stale ? ' stale' : ''),
      formatCounters(a),
    ]);
    for (const l of formatTable(['NODE', 'APP', 'PID', 'HOST', 'CAPTURE', 'REPORTED', 'COUNTERS'], rows)) lines.push('  ' + l);
  }

  const w = r.writers;
  if (w?.brokers) {
    const list = (ps: number[]) => (ps.length <= 16 ? ` (${ps.map((p) => `p${p}`).join(', ')})` : '');
    let line = `kafka: ${w.brokers.length} broker${w.brokers.length === 1 ? '' : 's'} (${w.brokers.map((b) => `${b.host}:${b.port}`).join(', ')})`;
    if (w.copies !== undefined) line += `; ${w.topic}: ${w.copies} cop${w.copies === 1 ? 'y' : 'ies'} of each partition`;
    if (w.underReplicated?.length) line += `; ${w.underReplicated.length} partition(s) missing a copy${list(w.underReplicated)}`;
    if (w.offline?.length) line += `; ${w.offline.length} partition(s) WITHOUT A LEADER${list(w.offline)}`;
    lines.push(line);
  }
  if (w === undefined) lines.push('writers: unknown (Kafka unreachable)');
  else if (!w.topicExists) lines.push(`writers: topic ${w.topic} does not exist yet (create it with: sipcap db init)`);
  else {
    const members = w.members === 0 ? 'no writer connected' : `${w.members} writer${w.members === 1 ? '' : 's'} connected`;
    const inRecords = w.lagRecords === undefined ? '' : `, ~${w.lagRecords} record${w.lagRecords === 1 ? '' : 's'}`;
    const age = w.lagSeconds === undefined || !w.lag ? '' : `, oldest unstored ${formatDuration(w.lagSeconds * 1000)} old`;
    lines.push(
      `writers: group ${w.group} on ${w.topic}: lag ${w.lag} Kafka message${w.lag === 1 ? '' : 's'}${inRecords}${age} over ${w.partitions?.length} partitions; ${members} (group ${w.groupState})`,
    );
    const behind = (w.partitions ?? []).filter((p) => p.lag > 0);
    if (behind.length > 0 && behind.length <= 16) lines.push('  behind: ' + behind.map((p) => `p${p.partition} ${p.lag}`).join(', '));
  }
  printWriterInstances(lines, r.writerInstances);
  printKpis(lines, r.kpis);
  io.out(lines.join('\n') + '\n');
}

function printWriterInstances(lines: string[], writers: AgentStatus[] | undefined): void {
  if (!writers?.length) return;
  const n = (v: number | undefined) => (v === undefined ? '-' : String(Math.round(v)));
  const rows = writers.map((w) => {
    const g = w.gauges;
    const lastInsert = g.lastInsertMs ? formatDuration(Math.max(0, Date.now() - g.lastInsertMs)) + ' ago' : 'none yet';
    return [
      w.host,
      String(w.pid),
      n(g.partitions),
      formatRate(w.rates.rowsInserted ?? 0) + (w.basis === 'average' ? ' (avg)' : ''),
      String(w.counters.rowsInserted ?? 0),
      lastInsert,
      String(w.counters.insertErrors ?? 0),
      String(w.counters.deadLetters ?? 0),
      n(g.lagRecords),
      g.lagSeconds === undefined ? '-' : formatDuration(g.lagSeconds * 1000),
      formatDuration(w.ageMs) + (w.stale ? ' stale' : ''),
    ];
  });
  const header = [
    'HOST',
    'PID',
    'PARTITIONS',
    'ROWS/S',
    'ROWS',
    'LAST INSERT',
    'DB ERRORS',
    'DEAD LETTERS',
    'LAG ~RECORDS',
    'BEHIND',
    'REPORTED',
  ];
  for (const l of formatTable(header, rows)) lines.push('  ' + l);
}

function printKpis(lines: string[], k: KpisStatus | undefined): void {
  if (!k) return;
  for (const u of k.unreachable)
    lines.push(`kpis: stats at ${u.url} did not answer (${u.message}); is the stats app running (STATS_METRICS_URL)?`);
  if (k.sources.length === 0) return;
  if (k.peers.length === 0) {
    lines.push(`kpis: no calls seen yet by stats at ${k.sources.join(', ')}`);
    return;
  }
  lines.push(
    `kpis: per peer from stats at ${k.sources.join(', ')}, since it started (ASR answered/attempts, NER all but failed/attempts; rates: Prometheus rules)`,
  );
  const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
  const sec = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)}s`);
  const rows = k.peers.map((p) => [
    p.peer,
    String(p.attempts),
    pct(p.asr),
    pct(p.ner),
    String(p.calls.answered),
    String(p.calls.busy),
    String(p.calls.no_answer),
    String(p.calls.cancelled),
    String(p.calls.rejected),
    String(p.calls.failed),
    String(p.activeCalls),
    String(p.activeRegistrations),
    sec(p.srdMean),
    sec(p.setupMean),
    String(p.retransmissions),
  ]);
  const header = [
    'PEER',
    'ATTEMPTS',
    'ASR',
    'NER',
    'ANSWERED',
    'BUSY',
    'NO_ANSWER',
    'CANCELLED',
    'REJECTED',
    'FAILED',
    'ACTIVE',
    'REGISTERED',
    'SRD',
    'SETUP',
    'RETRANS',
  ];
  for (const l of formatTable(header, rows)) lines.push('  ' + l);
}

function formatCounters(a: AgentStatus): string {
  // Totals since the agent started, with their rate: drops show even when none happen right now.
  const parts = Object.entries(a.rates).map(([k, v]) => `${k} ${formatCount(a.counters[k] ?? 0)} (${formatRate(v)}/s)`);
  for (const [k, v] of Object.entries(a.gauges)) parts.push(`${k} ${v}`);
  if (parts.length === 0) return '-';
  return parts.join(', ') + (a.basis === 'average' && Object.keys(a.rates).length > 0 ? ' (avg)' : '');
}
