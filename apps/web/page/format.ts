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

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An ISO date with microseconds shown in UTC (`shortDate`) or in the browser's zone (`local`), keeping
 * the digits below the millisecond.
 */
export function zonedDate(iso: string, tz: 'utc' | 'local'): string {
  if (tz === 'utc') return shortDate(iso);
  const d = new Date(iso);
  const micros = /\.\d{3}(\d*)Z$/.exec(iso)?.[1] ?? '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${micros}`;
}

/** The zone's name beside a time: `UTC`, or the browser's (e.g. `Europe/Paris`). */
export function zoneName(tz: 'utc' | 'local'): string {
  return tz === 'utc' ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

/** `5.030 s` under a minute, `12 min 05 s` above, `1 h 02 min` above an hour. */
export function durationText(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor(s / 60) % 60)} min`;
}

/** A datetime-local input's value for `ms`, in UTC or the browser's zone. */
export function inputValue(ms: number, tz: 'utc' | 'local'): string {
  if (tz === 'utc') return utcInputValue(ms);
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
