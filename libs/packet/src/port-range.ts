/** An inclusive range of ports, from `RAW_SOCKET_LISTEN`'s `port` or `start-end` part. */
export interface PortRange {
  from: number;
  to: number;
}

export type PortRangeResult = { ok: true; range: PortRange } | { ok: false; message: string };

function parsePort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10 + (c - 0x30);
  }
  return value >= 1 && value <= 65535 ? value : undefined;
}

/** Parses `5060` or `5060-5080` (whitespace around the parts allowed). */
export function parsePortRange(text: string): PortRangeResult {
  const dash = text.indexOf('-');
  const fromText = (dash < 0 ? text : text.slice(0, dash)).trim();
  const toText = dash < 0 ? fromText : text.slice(dash + 1).trim();
  const from = parsePort(fromText);
  const to = parsePort(toText);
  if (from === undefined || to === undefined) {
    return { ok: false, message: `expected a port (1-65535) or a range start-end, got "${text}"` };
  }
  if (from > to) return { ok: false, message: `port range "${text}" ends before it starts` };
  return { ok: true, range: { from, to } };
}

/** A filter that keeps packets whose source or destination port is in the range. */
export function portRangeFilter(range: PortRange): (srcPort: number, dstPort: number) => boolean {
  const { from, to } = range;
  return (srcPort, dstPort) => (srcPort >= from && srcPort <= to) || (dstPort >= from && dstPort <= to);
}
