/**
 * The QoS tab's numbers (pure: no DOM). RTCP report records (their msg is the RTCP JSON of @sipcap/rtcp,
 * as heplify, captagent and rtpengine send it) become one series per media stream: one point per report
 * block about that stream, with its jitter, fraction lost, cumulative loss, round trip time (where the
 * report's LSR names a sender report the database holds) and an estimated MOS.
 */

/** What the series need of a stored RTCP report. */
export interface RtcpReportInput {
  micro_ts: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  msg: string;
}

export interface QosPoint {
  /** Capture time of the report carrying the block. */
  micro_ts: string;
  /** Position of that report in the input. */
  report: number;
  /** Interarrival jitter as on the wire (RTP timestamp units) and in milliseconds at the clock rate. */
  jitter: number;
  jitterMs: number;
  /** Fraction lost since the previous report: the wire's 8-bit value and as a percentage (value / 256). */
  fractionLost: number;
  lossPercent: number;
  /** Cumulative packets lost (signed 24 bits on the wire). */
  cumulativeLost: number;
  /** Round trip in ms: capture time of the RR − capture time of the SR its LSR names − DLSR; undefined when unknown. */
  rttMs?: number;
  /** R-factor and MOS of the simplified E-model (estimateMos). */
  r: number;
  mos: number;
}

export interface QosStream {
  /** The SSRC of the media the reports are about (the report blocks' source_ssrc). */
  ssrc: number;
  /** SSRC of the endpoint that sent the reports (the receiver of the media). */
  reporterSsrc: number;
  /** RTCP addresses of the first report about the stream: from the receiver, to the media's sender. */
  reportFrom: string;
  reportTo: string;
  points: QosPoint[];
}

export interface QosSeries {
  streams: QosStream[];
  /** Reports whose msg is not RTCP JSON with report blocks (counted, not drawn). */
  unreadable: number;
  /** Sender reports seen (their NTP times answer the LSR of later receiver reports). */
  senderReports: number;
}

/** Report blocks read from one report (RTCP allows 31 per SR/RR). */
const MAX_BLOCKS = 31;
/** Streams drawn per call. */
export const MAX_STREAMS = 64;
/** The narrowband audio clock (PCMU/PCMA/G.729): jitter units → seconds. */
export const DEFAULT_CLOCK_HZ = 8000;

/** `ip:port`, IPv6 in brackets. */
function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The middle 32 bits of a 64-bit NTP time: what an RR's LSR holds (RFC 3550 6.4.1). */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/**
 * The simplified E-model (ITU-T G.107 with its default impairments) that RTP monitors commonly use, and
 * the same as the stats app's sipcap_rtcp_mos (libs/sip-stats estimateMos) when the round trip is not
 * known:
 *   effective latency (ms) = one-way delay (RTT / 2, 0 when not known) + 2 × jitter + 10 (codec)
 *   R = 93.2 − (latency < 160 ? latency / 40 : (latency − 120) / 10) − 2.5 × loss %
 *   MOS = 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R), 1 when R ≤ 0, 4.5 when R ≥ 100.
 */
export function estimateMos(jitterMs: number, lossPercent: number, rttMs?: number): { r: number; mos: number } {
  const latency = (rttMs ?? 0) / 2 + 2 * jitterMs + 10;
  const r = 93.2 - (latency < 160 ? latency / 40 : (latency - 120) / 10) - 2.5 * lossPercent;
  if (r <= 0) return { r, mos: 1 };
  if (r >= 100) return { r, mos: 4.5 };
  return { r, mos: Math.min(4.5, Math.max(1, 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r))) };
}

interface Block {
  source_ssrc: number;
  fraction_lost: number;
  ia_jitter: number;
  packets_lost: number;
  lsr: number;
  dlsr: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function readBlock(b: unknown): Block | undefined {
  if (typeof b !== 'object' || b === null) return undefined;
  const o = b as Record<string, unknown>;
  const f = ['source_ssrc', 'fraction_lost', 'ia_jitter', 'packets_lost'] as const;
  if (!f.every((k) => isNum(o[k]))) return undefined;
  if (!((o.fraction_lost as number) >= 0 && (o.fraction_lost as number) <= 255) || (o.ia_jitter as number) < 0) return undefined;
  return {
    source_ssrc: o.source_ssrc as number,
    fraction_lost: o.fraction_lost as number,
    ia_jitter: o.ia_jitter as number,
    packets_lost: o.packets_lost as number,
    lsr: isNum(o.lsr) ? o.lsr : 0,
    dlsr: isNum(o.dlsr) ? o.dlsr : 0,
  };
}

/**
 * One series per (reported SSRC, reporting SSRC), in order of first appearance, points in report order
 * (the input is in time order). RTT as Wireshark computes it from a capture: the RR's capture time minus
 * the capture time of the SR whose NTP middle bits equal the block's LSR, minus DLSR (1/65536 s); it is
 * the true round trip when the capture point sits by the SR's sender, and left out when no such SR was
 * stored or the result is negative.
 */
export function qosSeries(reports: readonly RtcpReportInput[], clockHz = DEFAULT_CLOCK_HZ): QosSeries {
  const srAt = new Map<string, bigint>();
  const streams = new Map<string, QosStream>();
  let unreadable = 0;
  let senderReports = 0;
  reports.forEach((rep, index) => {
    let json: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rep.msg);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      unreadable++;
      return;
    }
    let ts: bigint;
    try {
      ts = BigInt(rep.micro_ts);
    } catch {
      unreadable++;
      return;
    }
    const ssrc = isNum(json.ssrc) ? json.ssrc : 0;
    const si = json.sender_information as Record<string, unknown> | undefined;
    if (
      json.type === 200 &&
      si &&
      isNum(si.ntp_timestamp_sec) &&
      isNum(si.ntp_timestamp_usec) &&
      (si.ntp_timestamp_sec !== 0 || si.ntp_timestamp_usec !== 0)
    ) {
      senderReports++;
      srAt.set(`${ssrc}:${ntpMiddle32(si.ntp_timestamp_sec, si.ntp_timestamp_usec)}`, ts);
    }
    const blocks = json.report_blocks;
    if (blocks === null || blocks === undefined) return; // heplify writes null for a compound without blocks
    if (!Array.isArray(blocks)) {
      unreadable++;
      return;
    }
    for (const raw of blocks.slice(0, MAX_BLOCKS)) {
      const b = readBlock(raw);
      if (!b) {
        unreadable++;
        return;
      }
      const key = `${b.source_ssrc}/${ssrc}`;
      let stream = streams.get(key);
      if (!stream) {
        if (streams.size >= MAX_STREAMS) continue;
        stream = {
          ssrc: b.source_ssrc,
          reporterSsrc: ssrc,
          reportFrom: endpoint(rep.source_ip, rep.source_port),
          reportTo: endpoint(rep.destination_ip, rep.destination_port),
          points: [],
        };
        streams.set(key, stream);
      }
      let rttMs: number | undefined;
      const sr = b.lsr !== 0 ? srAt.get(`${b.source_ssrc}:${b.lsr >>> 0}`) : undefined;
      if (sr !== undefined) {
        const rtt = Number(ts - sr) / 1000 - (b.dlsr / 65536) * 1000;
        if (rtt >= 0) rttMs = rtt;
      }
      const jitterMs = (b.ia_jitter / clockHz) * 1000;
      const lossPercent = (b.fraction_lost / 256) * 100;
      const { r, mos } = estimateMos(jitterMs, lossPercent, rttMs);
      stream.points.push({
        micro_ts: rep.micro_ts,
        report: index,
        jitter: b.ia_jitter,
        jitterMs,
        fractionLost: b.fraction_lost,
        lossPercent,
        cumulativeLost: b.packets_lost,
        rttMs,
        r,
        mos,
      });
    }
  });
  return { streams: [...streams.values()], unreadable, senderReports };
}

/** What the ladder marks need of a report or log line. */
export interface MarkInput {
  micro_ts: string;
  kind: 'rtcp' | 'report' | 'logs';
}

export interface LadderMark {
  /** Index of the last message captured at or before the reports (−1: before the first message). */
  after: number;
  rtcp: number;
  report: number;
  logs: number;
}

/**
 * Where reports arrived in the ladder: the reports (time order) grouped by the message they follow,
 * one mark per gap between messages that holds any.
 */
export function ladderMarks(messageTimes: readonly string[], items: readonly MarkInput[]): LadderMark[] {
  const times = messageTimes.map((t) => BigInt(t));
  const marks = new Map<number, LadderMark>();
  for (const item of items) {
    const t = BigInt(item.micro_ts);
    let lo = 0;
    let hi = times.length; // first index with time > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    const after = lo - 1;
    let m = marks.get(after);
    if (!m) marks.set(after, (m = { after, rtcp: 0, report: 0, logs: 0 }));
    m[item.kind]++;
  }
  return [...marks.values()].sort((a, b) => a.after - b.after);
}
