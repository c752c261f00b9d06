import { readFileSync } from 'node:fs';

/** The kernel's UDP counters (/proc/net/snmp "Udp:"), machine-wide. */
export interface UdpCounters {
  InDatagrams: number;
  InErrors: number;
  RcvbufErrors: number;
}

export function udpCounters(): UdpCounters {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1).map(Number);
  const get = (n: string) => values[names.indexOf(n)] ?? 0;
  return { InDatagrams: get('InDatagrams'), InErrors: get('InErrors'), RcvbufErrors: get('RcvbufErrors') };
}

export function udpDelta(a: UdpCounters, b: UdpCounters): UdpCounters {
  return { InDatagrams: b.InDatagrams - a.InDatagrams, InErrors: b.InErrors - a.InErrors, RcvbufErrors: b.RcvbufErrors - a.RcvbufErrors };
}

/**
 * Datagrams the kernel dropped on the UDP sockets bound to `port` (the `drops` column of /proc/net/udp,
 * per socket, so other traffic on the machine does not count), and the bytes waiting in them.
 */
export function socketDrops(port: number): { drops: number; queuedBytes: number; sockets: number } {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let drops = 0;
  let queuedBytes = 0;
  let sockets = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      if (f[1].split(':')[1] !== hexPort) continue;
      sockets++;
      queuedBytes += parseInt(f[4].split(':')[1], 16);
      drops += Number(f[f.length - 1]);
    }
  }
  return { drops, queuedBytes, sockets };
}
