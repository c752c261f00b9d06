export interface HostPort {
  /** The host without IPv6 brackets. */
  host: string;
  /** 0 when not written or not a valid port. */
  port: number;
}

/**
 * Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (more than one ':', taken
 * as a host without port), as an X-OIP header carries the originator. Undefined when empty or when
 * what follows the host is not `:port`.
 */
export function parseHostPort(value: string): HostPort | undefined {
  const v = value.trim();
  if (v.length === 0) return undefined;
  if (v.charCodeAt(0) === 0x5b) {
    const close = v.indexOf(']');
    if (close <= 1) return undefined;
    const host = v.substring(1, close);
    if (close + 1 === v.length) return { host, port: 0 };
    if (v.charCodeAt(close + 1) !== 0x3a) return undefined;
    return { host, port: portOf(v.substring(close + 2)) };
  }
  const colon = v.indexOf(':');
  if (colon < 0 || v.indexOf(':', colon + 1) >= 0) return { host: v, port: 0 };
  if (colon === 0) return undefined;
  return { host: v.substring(0, colon), port: portOf(v.substring(colon + 1)) };
}

function portOf(s: string): number {
  if (s.length === 0 || s.length > 5) return 0;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    v = v * 10 + c - 0x30;
  }
  return v <= 65535 ? v : 0;
}
