import { microsToIso, type CallReport } from '@sipcap/search';
import type { PcapMessage } from './call-pcap';

/** What the text export needs of a message (the same fields as the pcap export). */
export type TextMessage = PcapMessage;

const PROTO_NAMES: Record<number, string> = { 1: 'UDP', 2: 'TCP', 3: 'TLS', 4: 'SCTP', 5: 'WS', 6: 'WSS' };

export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? `proto-${proto}`;
}

/** `ip:port`, IPv6 in brackets. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** What the text export needs of a report record. */
export type TextReport = Pick<
  CallReport,
  'kind' | 'table' | 'micro_ts' | 'source_ip' | 'source_port' | 'destination_ip' | 'destination_port' | 'proto' | 'type' | 'msg'
>;

/** The report groups of the reports API. */
export interface TextReports {
  rtcp: readonly TextReport[];
  reports: readonly TextReport[];
  logs: readonly TextReport[];
}

const KIND_LABEL = { rtcp: 'RTCP', report: 'QoS report', logs: 'log' } as const;

/**
 * The call as plain text: each message under a line `date src:port -> dst:port proto` (UTC, with
 * microseconds), then its bytes exactly as captured, then a blank line. With `reports`, the call's RTCP
 * reports, QoS reports and log lines are listed among the messages in capture-time order, each under
 * `date src:port -> dst:port proto RTCP|QoS report|log (table, type N)` with its stored text (JSON or
 * the log line); at equal times messages come first.
 */
export function callText(messages: readonly TextMessage[], reports?: TextReports): Buffer {
  return Buffer.concat([...callTextChunks(messages, reports)]);
}

/** The same text in pieces, one per entry, each made as it is read (for a streamed, capped export). */
export function* callTextChunks(messages: readonly TextMessage[], reports?: TextReports): Generator<Buffer> {
  type Entry = { ts: bigint; order: number; head: string; body: Buffer };
  const entries: Entry[] = messages.map((m, order) => ({
    ts: BigInt(m.micro_ts),
    order,
    head: `${endpoint(m.source_ip, m.source_port)} -> ${endpoint(m.destination_ip, m.destination_port)} ${protoName(m.proto)}`,
    body: m.msg,
  }));
  if (reports) {
    let order = entries.length;
    for (const r of [...reports.rtcp, ...reports.reports, ...reports.logs]) {
      entries.push({
        ts: BigInt(r.micro_ts),
        order: order++,
        head: `${endpoint(r.source_ip, r.source_port)} -> ${endpoint(r.destination_ip, r.destination_port)} ${protoName(r.proto)} ${KIND_LABEL[r.kind]} (${r.table}, type ${r.type})`,
        body: Buffer.from(r.msg, 'utf8'),
      });
    }
    entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.order - b.order));
  }
  for (const e of entries) {
    const date = microsToIso(e.ts).replace('T', ' ').replace('Z', '');
    yield Buffer.concat([
      Buffer.from(`${date} ${e.head}\n`),
      e.body,
      Buffer.from(e.body.length > 0 && e.body[e.body.length - 1] === 0x0a ? '\n' : '\n\n'),
    ]);
  }
}
