/** Small text formatting shared by the views (pure: no DOM). */

const PROTO_NAMES: Record<number, string> = { 1: 'UDP', 2: 'TCP', 3: 'TLS', 4: 'SCTP', 5: 'WS', 6: 'WSS' };

export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? `proto ${proto}`;
}

/** `ip:port`, IPv6 in brackets. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `2025-01-15 10:00:00.123456` (UTC) from an ISO date with microseconds. */
export function shortDate(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

/** `+1.234 s`: time since the first message, in seconds with milliseconds. */
export function offsetText(microTs: bigint, firstMicroTs: bigint): string {
  const micros = microTs - firstMicroTs;
  const sign = micros < 0n ? '-' : '+';
  const abs = micros < 0n ? -micros : micros;
  const ms = (abs + 500n) / 1000n;
  return `${sign}${ms / 1000n}.${String(ms % 1000n).padStart(3, '0')} s`;
}

/** What a message is called on its arrow: the method, or the status code and reason. */
export function messageLabel(m: { method: string; reply_reason: string; type: number }): string {
  if (m.type === 2 || /^\d{3}$/.test(m.method)) return m.reply_reason ? `${m.method} ${m.reply_reason}` : m.method;
  return m.method || '(unparsed)';
}

/** `2025-01-15T10:00` style value of a datetime-local input, in UTC. */
export function utcInputValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
