import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { checkHepAuth, decodeHep, type HepDecodeOptions } from '@sipcap/hep';
import { REPORT_PAYLOAD_TYPES } from '@sipcap/record';
import { nowMicros, protoFromIpProto, type CapturePublisher, type ReportPublisher } from '@sipcap/agent';

/** Payload types of HEP chunk 11 (and their metric label). */
const PAYLOAD_TYPE_NAMES: Record<number, string> = {
  1: 'sip',
  2: 'xmpp',
  3: 'sdp',
  4: 'rtp',
  5: 'rtcp',
  6: 'mgcp',
  7: 'megaco',
  8: 'm2ua',
  9: 'm3ua',
  10: 'iax',
  11: 'h322',
  12: 'h321',
  32: 'report',
  34: 'rtp_json',
  35: 'rtcp_json',
  53: 'dns',
  54: 'isup',
  99: 'report',
  100: 'log',
};

export type Transport = 'udp' | 'tcp' | 'tls';

/** Only payloads that go somewhere are inflated: SIP (1) and the report types; the rest are only counted. */
const DECODE_OPTIONS: HepDecodeOptions = { inflate: (t) => t === 1 || REPORT_PAYLOAD_TYPES.has(t) };

/** Labels of sipcap_hep_auth_failed_total: no key chunk (or HEP v1/v2, which cannot carry one), another key. */
export const AUTH_FAILURE_REASONS = ['missing', 'wrong'] as const;
type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/**
 * HEP in, capture records out: decodes each datagram or TCP frame, checks the auth key, counts
 * non-SIP payload types, and hands SIP to the publisher. Never throws on bad input.
 */
export class HepIngest {
  private readonly m;
  private malformedLogged = 0;
  private authLogged = 0;
  /** HEP_AUTH_KEY as bytes, compared in constant time. */
  private readonly authKey: Buffer | undefined;
  /** Plain totals for the fleet report (`sipcap status`). */
  readonly totals = { received: 0, malformed: 0 };

  constructor(
    private readonly opts: {
      publisher: CapturePublisher;
      /** Where RTCP (5), QoS reports (32-35, 99) and logs (100) go; without it they are only counted. */
      reports?: ReportPublisher;
      /** HEP_AUTH_KEY: packets without this key are dropped. */
      authKey?: string;
      log: Logger;
      registry?: Registry;
    },
  ) {
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      received: new Counter({
        name: 'sipcap_hep_received_total',
        help: 'HEP packets received, by transport',
        labelNames: ['transport'],
        registers,
      }),
      decoded: new Counter({
        name: 'sipcap_hep_decoded_total',
        help: 'HEP packets decoded, by HEP version',
        labelNames: ['version'],
        registers,
      }),
      malformed: new Counter({
        name: 'sipcap_hep_malformed_total',
        help: 'HEP packets dropped as malformed, by reason',
        labelNames: ['reason'],
        registers,
      }),
      nonSip: new Counter({
        name: 'sipcap_hep_non_sip_total',
        help: 'HEP packets with a non-SIP payload type, by type (RTCP, reports and logs go on to the report tables; see sipcap_reports_*)',
        labelNames: ['type'],
        registers,
      }),
      auth: new Counter({
        name: 'sipcap_hep_auth_failed_total',
        help: 'HEP packets dropped by HEP_AUTH_KEY before decoding, by reason (missing: no key chunk, or HEP v1/v2; wrong: another key)',
        labelNames: ['reason'],
        registers,
      }),
    };
    this.authKey = opts.authKey === undefined ? undefined : Buffer.from(opts.authKey, 'utf8');
    if (this.authKey) for (const reason of AUTH_FAILURE_REASONS) this.m.auth.inc({ reason }, 0);
    // Pre-create the common series so dashboards see zeros, not gaps.
    for (const t of ['udp', 'tcp', 'tls']) this.m.received.inc({ transport: t }, 0);
  }

  /** One HEP packet (a UDP datagram or one TCP frame). */
  ingest(buf: Buffer, transport: Transport): void {
    this.m.received.inc({ transport });
    this.totals.received++;
    // The key first, from the chunk headers alone: a wrong one costs no decoding and no inflating.
    if (this.authKey !== undefined) {
      const auth = checkHepAuth(buf, this.authKey);
      if (auth === 'missing' || auth === 'wrong') {
        this.authFailed(auth, transport, buf.length);
        return;
      }
      // 'unframed': the decoder names what is wrong with it (it fails before inflating anything).
    }
    const r = decodeHep(buf, DECODE_OPTIONS);
    if (!r.ok) {
      this.totals.malformed++;
      this.m.malformed.inc({ reason: r.reason });
      if (this.malformedLogged < 10) {
        this.malformedLogged++;
        this.opts.log.warn({ reason: r.reason, detail: r.message, transport, bytes: buf.length }, 'malformed HEP packet dropped');
      }
      return;
    }
    const p = r.packet;
    this.m.decoded.inc({ version: String(p.version) });
    if (p.payloadType !== 1) {
      this.m.nonSip.inc({ type: PAYLOAD_TYPE_NAMES[p.payloadType] ?? String(p.payloadType) });
      // Report types become report records (the publisher counts what it drops and why); others stop here.
      this.opts.reports?.capture({
        payloadType: p.payloadType,
        payload: p.payload,
        srcIp: p.srcIp,
        srcPort: p.srcPort,
        dstIp: p.dstIp,
        dstPort: p.dstPort,
        family: p.family,
        proto: protoFromIpProto(p.ipProto),
        microTs: p.tsSec !== 0 || p.tsUsec !== 0 ? BigInt(p.tsSec) * 1_000_000n + BigInt(p.tsUsec) : nowMicros(),
        correlationId: p.correlationId,
        captureId: p.captureId,
      });
      return;
    }
    this.opts.publisher.capture({
      payload: p.payload,
      srcIp: p.srcIp,
      srcPort: p.srcPort,
      dstIp: p.dstIp,
      dstPort: p.dstPort,
      family: p.family,
      proto: protoFromIpProto(p.ipProto),
      microTs: p.tsSec !== 0 || p.tsUsec !== 0 ? BigInt(p.tsSec) * 1_000_000n + BigInt(p.tsUsec) : nowMicros(),
      correlationId: p.correlationId,
      captureId: p.captureId,
    });
  }

  private authFailed(reason: AuthFailureReason, transport: Transport, bytes: number): void {
    this.m.auth.inc({ reason });
    if (this.authLogged < 10) {
      this.authLogged++;
      this.opts.log.warn({ reason, transport, bytes }, 'HEP packet without the right HEP_AUTH_KEY dropped');
    }
  }

  /** A TCP/TLS stream that cannot be framed as HEP (it is closed by the listener). */
  streamError(reason: string): void {
    this.m.malformed.inc({ reason: `stream_${reason}` });
  }
}
