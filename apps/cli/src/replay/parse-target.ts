/** Where replay sends: `HOST:PORT`, `[IPv6]:PORT`. */
export interface ReplayTarget {
  host: string;
  port: number;
}

/** Parses `--to`; undefined when it is not host:port with a port from 1 to 65535. */
export function parseTarget(text: string): ReplayTarget | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}
