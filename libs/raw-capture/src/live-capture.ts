import { endianness } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CaptureStartError, classifyOpenError, PERMISSION_HINT } from './capture-start-error';
import { DECODABLE_LINKTYPES, linktypeFromPcapName } from './linktype-name';
import { PcapStatsMetrics, type PcapTotals } from './pcap-stats';

/** Receives each captured frame; `frame` is only valid during the call (libpcap's buffer is reused). */
export type FrameHandler = (linktype: number, frame: Buffer, tsMicros: number) => void;

export interface LiveCaptureOptions {
  iface: string;
  /** pcap-filter expression compiled into the kernel; '' for none. */
  filter: string;
  promiscuous: boolean;
  /** libpcap's ring buffer (PCAP_BUFFER_MB). */
  bufferBytes: number;
  /** Longest frame kept (default 262144, as tcpdump: GRO/TSO hands over frames far above the MTU). */
  snaplen?: number;
  /** How long the kernel may hold packets before waking the agent (default 10 ms). */
  readTimeoutMs?: number;
  onFrame: FrameHandler;
  log: Logger;
  registry?: Registry;
  /** How often libpcap's received/dropped counters are read (default 1000 ms). */
  statsEveryMs?: number;
}

export interface LiveCapture {
  readonly iface: string;
  readonly linktype: number;
  /** libpcap's counters so far (polled). */
  readonly totals: PcapTotals;
  close(): void;
}

/** The subset of node_pcap used here (its typings cover only part of the module). */
interface PcapModule {
  findalldevs(): { name: string }[];
  createSession(
    device: string,
    options: { filter?: string; buffer_size?: number; snap_length?: number; buffer_timeout?: number; promiscuous?: boolean },
  ): PcapSessionLike;
  warningHandler: (message: string) => void;
}

interface PcapSessionLike {
  link_type: string;
  on(event: 'packet', fn: (p: { buf: Buffer; header: Buffer }) => void): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  close(): void;
}

/** Loaded on first use, so that importing this library (in worker threads too) never loads the native addon. */
async function loadPcap(): Promise<PcapModule> {
  const mod = (await import('pcap')) as unknown as PcapModule & { default?: PcapModule };
  return mod.default ?? mod;
}

/** Interface names libpcap can open (for the "not found" message). */
export async function captureInterfaces(): Promise<string[]> {
  const pcap = await loadPcap();
  return pcap.findalldevs().map((d) => d.name);
}

/**
 * Live capture through node_pcap: opens the interface with the BPF filter, hands each raw frame with its
 * link type and pcap time to `onFrame`, and polls libpcap's counters into Prometheus. Start-up problems
 * (missing interface, no permission, a filter libpcap rejects, a link type the decoder cannot read) are
 * CaptureStartErrors with a message that says what to do.
 */
export async function openLiveCapture(o: LiveCaptureOptions): Promise<LiveCapture> {
  const pcap = await loadPcap();
  pcap.warningHandler = (message: string) => o.log.debug({ iface: o.iface, warning: message }, 'libpcap warning');
  const names = pcap.findalldevs().map((d) => d.name);
  if (!names.includes(o.iface)) {
    throw new CaptureStartError(
      'no-such-interface',
      `capture interface "${o.iface}" not found (RAW_INTERFACE); available: ${names.join(', ') || 'none'}`,
    );
  }
  const open = (filter: string): PcapSessionLike =>
    pcap.createSession(o.iface, {
      filter,
      buffer_size: o.bufferBytes,
      snap_length: o.snaplen ?? 262_144,
      buffer_timeout: o.readTimeoutMs ?? 10,
      promiscuous: o.promiscuous,
    });
  let session: PcapSessionLike;
  try {
    session = open(o.filter);
  } catch (e) {
    throw explainOpenFailure(o, (e as Error).message, open);
  }
  const linktype = linktypeFromPcapName(session.link_type);
  if (linktype === undefined || !DECODABLE_LINKTYPES.has(linktype)) {
    session.close();
    throw new CaptureStartError(
      'unsupported-linktype',
      `interface "${o.iface}" has link type ${session.link_type}, which the decoder does not read`,
    );
  }

  const readU32 = endianness() === 'LE' ? (b: Buffer, off: number) => b.readUInt32LE(off) : (b: Buffer, off: number) => b.readUInt32BE(off);
  const onFrame = o.onFrame;
  session.on('packet', (p) => {
    // pcap_pkthdr as node_pcap copies it: tv_sec and tv_usec (low 32 bits, host order), caplen, len.
    const h = p.header;
    const caplen = Math.min(readU32(h, 8), p.buf.length);
    onFrame(linktype, p.buf.subarray(0, caplen), readU32(h, 0) * 1_000_000 + readU32(h, 4));
  });

  const stats = new PcapStatsMetrics(o.registry);
  let closed = false;
  const poll = (): void => {
    if (closed) return;
    try {
      stats.update(session.stats());
    } catch (e) {
      o.log.warn({ err: (e as Error).message }, 'could not read libpcap statistics');
    }
  };
  const timer = setInterval(poll, o.statsEveryMs ?? 1000);
  timer.unref();
  o.log.info(
    { iface: o.iface, linktype, filter: o.filter || '(none)', promiscuous: o.promiscuous, bufferBytes: o.bufferBytes },
    'live capture open',
  );

  return {
    iface: o.iface,
    linktype,
    totals: stats.totals,
    close() {
      if (closed) return;
      poll();
      closed = true;
      clearInterval(timer);
      // node_pcap only breaks its loop here; the handle is released at the next readable event (or at exit).
      session.close();
    },
  };
}

function explainOpenFailure(o: LiveCaptureOptions, message: string, open: (filter: string) => PcapSessionLike): CaptureStartError {
  switch (classifyOpenError(message)) {
    case 'no-permission':
      return new CaptureStartError('no-permission', `no permission to capture on "${o.iface}" (${message}): ${PERMISSION_HINT}`);
    case 'no-such-interface':
      return new CaptureStartError('no-such-interface', `capture interface "${o.iface}" not found (${message})`);
    default:
      break;
  }
  if (o.filter !== '') {
    // libpcap reports filter errors only as text: when the interface opens without the filter, it was the filter.
    try {
      open('').close();
      return new CaptureStartError('bad-filter', `libpcap rejected the capture filter "${o.filter}": ${message}`);
    } catch {
      // the interface itself fails: report the first error
    }
  }
  return new CaptureStartError('open-failed', `could not open "${o.iface}" for capture: ${message}`);
}
