import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { buildReportRecord, encodeReportRecord, REPORT_KINDS, REPORT_PAYLOAD_TYPES } from '@sipcap/record';
import {
  decodeRtcpToJson,
  jsonPayloadText,
  looksLikeJson,
  payloadText,
  RTCP_ERROR_REASONS,
  TEXT_PAYLOAD_ERRORS,
  type TextPayloadResult,
} from '@sipcap/rtcp';
import type { CaptureSwitch, RecordSink } from './capture-publisher';
import type { CapturedMessage } from './captured-message';
import type { CaptureTimeWindow } from './capture-time-window';

/** A non-SIP payload as an agent received it, with its HEP payload type (chunk 11). */
export type CapturedReport = Omit<CapturedMessage, 'correlationId'> & { payloadType: number; correlationId?: string };

/** Why a report is not published: a closed list (the counter's reason label). */
export const REPORT_DROP_REASONS = [
  'capture_off',
  'unsupported_type',
  'no_correlation_id',
  'not_queued',
  ...TEXT_PAYLOAD_ERRORS,
  ...RTCP_ERROR_REASONS.map((r) => `rtcp_${r}` as const),
] as const;
export type ReportDropReason = (typeof REPORT_DROP_REASONS)[number];
export type ReportOutcome = 'published' | ReportDropReason;

/**
 * The last stage for non-SIP HEP payloads (RTCP, QoS reports, logs): a report record keyed by its
 * correlation id (the call's Call-ID), so that a call's reports travel on the partition of its SIP.
 * Binary RTCP is decoded into JSON (@sipcap/rtcp); JSON and log text are kept as received once checked.
 * Kamailio refuses a report without a correlation id: counted and dropped here too.
 */
export class ReportPublisher {
  private readonly m;
  private droppedLogged = 0;
  readonly totals = { published: 0, dropped: 0 };

  constructor(
    private readonly opts: {
      captureNode: string;
      sink: RecordSink;
      flag: CaptureSwitch;
      log: Logger;
      registry?: Registry;
      timeWindow?: CaptureTimeWindow;
    },
  ) {
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      published: new Counter({
        name: 'sipcap_reports_published_total',
        help: 'Report records (RTCP, QoS reports, logs) published, by table kind',
        labelNames: ['kind'],
        registers,
      }),
      dropped: new Counter({
        name: 'sipcap_reports_dropped_total',
        help: 'Non-SIP payloads not published as report records, by reason',
        labelNames: ['reason'],
        registers,
      }),
    };
    for (const k of REPORT_KINDS) this.m.published.inc({ kind: k }, 0);
    for (const r of REPORT_DROP_REASONS) this.m.dropped.inc({ reason: r }, 0);
  }

  capture(c: CapturedReport): ReportOutcome {
    const target = REPORT_PAYLOAD_TYPES.get(c.payloadType);
    if (!target) return this.drop('unsupported_type', c);
    if (!this.opts.flag.isOn()) return this.drop('capture_off', c);
    if (!c.correlationId) return this.drop('no_correlation_id', c);
    let text: TextPayloadResult | { ok: false; reason: ReportDropReason; message: string };
    if (target.kind === 'rtcp' && !looksLikeJson(c.payload)) {
      const r = decodeRtcpToJson(c.payload);
      text = r.ok ? r : { ok: false, reason: `rtcp_${r.reason}`, message: r.message };
    } else {
      text = target.json ? jsonPayloadText(c.payload) : payloadText(c.payload);
    }
    if (!text.ok) return this.drop(text.reason, c, text.message);
    const record = buildReportRecord(
      {
        kind: target.kind,
        type: target.type,
        msg: text.text,
        srcIp: c.srcIp,
        srcPort: c.srcPort,
        dstIp: c.dstIp,
        dstPort: c.dstPort,
        family: c.family,
        proto: c.proto,
        microTs: this.opts.timeWindow?.check(c.microTs, c.srcIp, c.srcPort) ?? c.microTs,
        correlationId: c.correlationId,
        captureId: c.captureId,
      },
      this.opts.captureNode,
    );
    // Refused by the producer, which counts why (sipcap_kafka_dropped_total{reason}: too_large, queue_full, stopping).
    if (!this.opts.sink.publish(record.correlation_id, encodeReportRecord(record))) return this.drop('not_queued', c);
    this.m.published.inc({ kind: target.kind });
    this.totals.published++;
    return 'published';
  }

  private drop(reason: ReportDropReason, c: CapturedReport, detail?: string): ReportDropReason {
    this.m.dropped.inc({ reason });
    this.totals.dropped++;
    if (reason !== 'capture_off' && reason !== 'not_queued' && reason !== 'unsupported_type' && this.droppedLogged < 10) {
      this.droppedLogged++;
      this.opts.log.warn({ reason, detail, payloadType: c.payloadType, src: `${c.srcIp}:${c.srcPort}` }, 'report dropped');
    }
    return reason;
  }
}
