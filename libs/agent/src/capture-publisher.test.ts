import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { decodeRecord } from '@sipcap/record';
import type { CapturedMessage } from './captured-message';
import { CapturePublisher, type CapturePublisherOptions } from './capture-publisher';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
  'From: <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: call-1@example.com',
  'CSeq: 1 INVITE',
  'X-CID: a-leg-1',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

const captured = (payload: string, over: Partial<CapturedMessage> = {}): CapturedMessage => ({
  payload: Buffer.from(payload),
  srcIp: '192.0.2.1',
  srcPort: 5060,
  dstIp: '192.0.2.2',
  dstPort: 5060,
  family: 2,
  proto: 1,
  microTs: 1_764_000_000_000_000n,
  captureId: 9,
  ...over,
});

function setup(over: Partial<CapturePublisherOptions> = {}, on = true, accept = true) {
  const sent: { key: string; value: Buffer }[] = [];
  const registry = new Registry();
  const p = new CapturePublisher({
    captureNode: 'homer01',
    callidAlegHeaders: ['X-CID'],
    customHeaders: [],
    captureBadMsgs: false,
    sink: { publish: (key, value) => (accept && sent.push({ key, value }), accept) },
    flag: { isOn: () => on },
    log: pino({ level: 'silent' }),
    registry,
    ...over,
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = await registry.getSingleMetric(name)!.get();
    return m.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
  };
  return { p, sent, metric };
}

const record = (v: Buffer) => {
  const d = decodeRecord(v);
  if (!d.ok) throw new Error(d.message);
  return d.record;
};

describe('CapturePublisher (the agents last stage)', () => {
  it('publishes a SIP message as a record keyed by its Call-ID, with the A-leg header and node:captureId', () => {
    const { p, sent } = setup();
    expect(p.capture(captured(INVITE))).toBe('published');
    expect(sent).toHaveLength(1);
    expect(sent[0].key).toBe('call-1@example.com');
    expect(record(sent[0].value)).toMatchObject({
      method: 'INVITE',
      callid: 'call-1@example.com',
      callid_aleg: 'a-leg-1',
      node: 'homer01:9',
    });
    expect(p.totals.published).toBe(1);
  });

  it('with capture off: nothing is parsed or published, counted capture_off', async () => {
    const { p, sent, metric } = setup({}, false);
    expect(p.capture(captured(INVITE))).toBe('capture_off');
    expect(sent).toHaveLength(0);
    expect(await metric('sipcap_capture_dropped_total', { reason: 'capture_off' })).toBe(1);
    expect(await metric('sipcap_sip_parsed_total')).toBe(0);
  });

  it('a message that does not parse is dropped and counted by reason, or stored with CAPTURE_BAD_MSGS', async () => {
    const bad = 'INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n';
    const dropping = setup();
    expect(dropping.p.capture(captured(bad))).toBe('bad_sip');
    expect(dropping.sent).toHaveLength(0);
    expect(await dropping.metric('sipcap_sip_bad_total', { reason: 'missing_header', stored: 'false' })).toBe(1);
    const storing = setup({ captureBadMsgs: true });
    expect(storing.p.capture(captured(bad))).toBe('published');
    expect(record(storing.sent[0].value)).toMatchObject({ method: 'INVITE', callid: '' });
  });

  it('a record the producer does not take is not counted as published', () => {
    const { p } = setup({}, true, false);
    expect(p.capture(captured(INVITE))).toBe('not_queued');
    expect(p.totals.published).toBe(0);
  });
});
