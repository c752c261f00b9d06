import { microsToIso } from '@sipcap/search';
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

/**
 * The call as plain text: each message under a line `date src:port -> dst:port proto` (UTC, with
 * microseconds), then its bytes exactly as captured, then a blank line.
 */
export function callText(messages: readonly TextMessage[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const date = microsToIso(BigInt(m.micro_ts)).replace('T', ' ').replace('Z', '');
    parts.push(Buffer.from(`${date} ${endpoint(m.source_ip, m.source_port)} -> ${endpoint(m.destination_ip, m.destination_port)} ${protoName(m.proto)}\n`));
    parts.push(m.msg);
    parts.push(Buffer.from(m.msg.length > 0 && m.msg[m.msg.length - 1] === 0x0a ? '\n' : '\n\n'));
  }
  return Buffer.concat(parts);
}
