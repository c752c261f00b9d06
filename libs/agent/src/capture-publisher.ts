import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { SIP_ERROR_REASONS, SipParser } from '@sipcap/sip';
import { encodeRecord, RecordBuilder, type BuildRecordOptions } from '@sipcap/record';
import type { CapturedMessage } from './captured-message';
import { CaptureTimeWindow } from './capture-time-window';
import { CaptureFilter, censoredMessage, filterCounter, type CaptureFilterSettings } from './capture-filter';

/** What the publisher needs of the Kafka producer (RecordProducer in @sipcap/bus). */
export interface RecordSink {
  publish(key: string, value: Buffer): boolean;
}

/** What the publisher needs of the capture flag (CaptureFlag in @sipcap/capture-flag). */
export interface CaptureSwitch {
  isOn(): boolean;
}

export interface CapturePublisherOptions extends BuildRecordOptions {
  /** CAPTURE_BAD_MSGS: store messages whose start line or mandatory headers do not parse. */
  captureBadMsgs: boolean;
  /** CAPTURE_TIME_WINDOW_S: a capture time further than this from the agent's clock is replaced (0: off). */
  captureTimeWindowS?: number;
  /** FILTER_*: messages discarded or censored before Kafka. */
  filter?: CaptureFilterSettings;
  sink: RecordSink;
  flag: CaptureSwitch;
  log: Logger;
  registry?: Registry;
}

export type CaptureOutcome = 'published' | 'capture_off' | 'bad_sip' | 'filtered' | 'not_queued';

/**
 * The shared last stage of every agent: SIP parse, capture record, Kafka encoding, publish, keyed by
 * Call-ID so a call's messages stay in order on one partition. Counts every message it does not publish.
 */
export class CapturePublisher {
  private readonly m;
  private readonly builder: RecordBuilder;
  private readonly parser: SipParser;
  private badLogged = 0;
  /** Shared with the agent's report publisher (one counter per process). */
  readonly timeWindow: CaptureTimeWindow;
  private readonly filter: CaptureFilter;
  private readonly filtered;
  /** Plain totals for the fleet report (`sipcap status`). */
  readonly totals = { published: 0, captureOff: 0, badSip: 0, filtered: 0 };

  constructor(private readonly opts: CapturePublisherOptions) {
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      parsed: new Counter({ name: 'sipcap_sip_parsed_total', help: 'SIP messages parsed into capture records', registers }),
      bad: new Counter({
        name: 'sipcap_sip_bad_total',
        help: 'SIP messages whose start line or mandatory headers did not parse, by reason and whether they were stored (CAPTURE_BAD_MSGS)',
        labelNames: ['reason', 'stored'],
        registers,
      }),
      dropped: new Counter({
        name: 'sipcap_capture_dropped_total',
        help: 'Captured messages not published, by reason',
        labelNames: ['reason'],
        registers,
      }),
    };
    // Every known series exists from the start (at 0), so alert rules see them before the first event.
    for (const reason of ['capture_off', 'bad_sip'] as const) this.m.dropped.inc({ reason }, 0);
    for (const reason of SIP_ERROR_REASONS) this.m.bad.inc({ reason, stored: String(opts.captureBadMsgs) }, 0);
    // One builder and one parser (their compiled headers) for every message.
    this.builder = new RecordBuilder({
      captureNode: opts.captureNode,
      callidAlegHeaders: opts.callidAlegHeaders,
      customHeaders: opts.customHeaders,
    });
    this.parser = new SipParser({ extraHeaders: this.builder.extraHeaders });
    this.timeWindow = new CaptureTimeWindow(opts.captureTimeWindowS ?? 0, { log: opts.log, registry: opts.registry });
    this.filter = new CaptureFilter(opts.filter);
    this.filtered = filterCounter(this.filter, opts.registry);
  }

  capture(c: CapturedMessage): CaptureOutcome {
    if (!this.opts.flag.isOn()) {
      this.m.dropped.inc({ reason: 'capture_off' });
      this.totals.captureOff++;
      return 'capture_off';
    }
    const parsed = this.parser.parse(c.payload);
    let sip;
    if (parsed.ok) {
      sip = parsed.sip;
      this.m.parsed.inc();
    } else {
      this.m.bad.inc({ reason: parsed.reason, stored: String(this.opts.captureBadMsgs) });
      if (this.badLogged < 10) {
        this.badLogged++;
        this.opts.log.warn(
          { reason: parsed.reason, detail: parsed.message, src: `${c.srcIp}:${c.srcPort}` },
          this.opts.captureBadMsgs
            ? 'storing a SIP message that did not fully parse'
            : 'dropping a SIP message that did not parse (CAPTURE_BAD_MSGS=0)',
        );
      }
      if (!this.opts.captureBadMsgs) {
        this.m.dropped.inc({ reason: 'bad_sip' });
        this.totals.badSip++;
        return 'bad_sip';
      }
      sip = parsed.partial;
    }
    let msg = c.payload;
    if (this.filter.active) {
      const verdict = this.filter.decide(sip, c.srcIp, c.dstIp);
      if (verdict.action === 'discard') {
        this.filtered.inc({ action: 'discard', rule: verdict.rule, value: verdict.value });
        this.totals.filtered++;
        return 'filtered';
      }
      if (verdict.action === 'censor') {
        this.filtered.inc({ action: 'censor', rule: 'method', value: sip.isRequest ? sip.method : sip.cseqMethod });
        msg = censoredMessage(msg);
      }
    }
    const microTs = this.timeWindow.check(c.microTs, c.srcIp, c.srcPort);
    const record = this.builder.build({ ...c, microTs, sip, msg });
    // Refused by the producer, which counts why (sipcap_kafka_dropped_total{reason}: too_large, queue_full, stopping).
    if (!this.opts.sink.publish(record.callid, encodeRecord(record))) return 'not_queued';
    this.totals.published++;
    return 'published';
  }
}
