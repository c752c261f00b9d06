import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { encodeHep1, encodeHep3, hep3Chunk, hep3Frame } from '@sipcap/hep';
import { CapturePublisher } from '@sipcap/agent';
import { HepIngest } from './hep-ingest';

const SIP = Buffer.from(
  'OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: ingest-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
);
const addr = { srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: 5060, dstPort: 5060 };

function setup(authKey?: string) {
  const sent: string[] = [];
  const registry = new Registry();
  const log = pino({ level: 'silent' });
  const publisher = new CapturePublisher({
    captureNode: 'homer01',
    callidAlegHeaders: [],
    customHeaders: [undefined, undefined, undefined],
    captureBadMsgs: false,
    sink: { publish: (key) => (sent.push(key), true) },
    flag: { isOn: () => true },
    log,
    registry,
  });
  const ingest = new HepIngest({ publisher, authKey, log, registry });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return m.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
  };
  return { ingest, sent, metric };
}

/** A HEP3 packet with the given key whose chunk-16 payload inflates to 1 MiB. */
function bomb(authKey: string | undefined): Buffer {
  const chunks = [
    hep3Chunk(1, [2]),
    hep3Chunk(2, [17]),
    hep3Chunk(3, [192, 0, 2, 1]),
    hep3Chunk(4, [192, 0, 2, 2]),
    hep3Chunk(7, [0x13, 0xc4]),
    hep3Chunk(8, [0x13, 0xc4]),
  ];
  if (authKey !== undefined) chunks.push(hep3Chunk(14, Buffer.from(authKey)));
  chunks.push(hep3Chunk(16, deflateSync(Buffer.alloc(1 << 20, 0x41), { level: 9 })));
  return hep3Frame(chunks);
}

describe('HepIngest inflates only what it passes on', () => {
  it('counts a compressed payload of a type it does not use without inflating it (a bomb of type 2 is no malformed)', async () => {
    const { ingest, sent, metric } = setup();
    const xmppBomb = encodeHep3({ ...addr, payloadType: 2, payload: Buffer.alloc(1 << 20, 0x41), compress: true });
    const sipBomb = encodeHep3({ ...addr, payloadType: 1, payload: Buffer.alloc(1 << 20, 0x41), compress: true });
    ingest.ingest(xmppBomb, 'udp');
    ingest.ingest(sipBomb, 'udp');
    expect(await metric('sipcap_hep_non_sip_total', { type: 'xmpp' })).toBe(1);
    expect(await metric('sipcap_hep_malformed_total', { reason: 'payload_too_large' })).toBe(1);
    expect(sent).toEqual([]);
  });
});

describe('HepIngest with HEP_AUTH_KEY', () => {
  it('drops a wrong or missing key before decoding: counted by reason, a bomb behind it never inflated', async () => {
    const { ingest, sent, metric } = setup('s3cret');
    ingest.ingest(bomb('guess'), 'udp');
    ingest.ingest(bomb(undefined), 'tcp');
    ingest.ingest(encodeHep3({ ...addr, authKey: 's3cre', payload: SIP }), 'udp');
    ingest.ingest(encodeHep1({ ...addr, payload: SIP }), 'udp');
    expect(await metric('sipcap_hep_auth_failed_total', { reason: 'wrong' })).toBe(2);
    expect(await metric('sipcap_hep_auth_failed_total', { reason: 'missing' })).toBe(2);
    // Refused before the decoder: nothing decoded, nothing malformed (the bomb was not inflated to find out).
    expect(await metric('sipcap_hep_decoded_total')).toBe(0);
    expect(await metric('sipcap_hep_malformed_total')).toBe(0);
    expect(sent).toEqual([]);
  });

  it('decodes and publishes the right key; a bomb with the right key is a counted payload_too_large', async () => {
    const { ingest, sent, metric } = setup('s3cret');
    ingest.ingest(encodeHep3({ ...addr, authKey: 's3cret', payload: SIP, compress: true }), 'udp');
    ingest.ingest(bomb('s3cret'), 'udp');
    expect(sent).toEqual(['ingest-1']);
    expect(await metric('sipcap_hep_malformed_total', { reason: 'payload_too_large' })).toBe(1);
    expect(await metric('sipcap_hep_auth_failed_total')).toBe(0);
  });

  it('leaves a broken packet to the decoder, which names the reason', async () => {
    const { ingest, metric } = setup('s3cret');
    const p = encodeHep3({ ...addr, authKey: 's3cret', payload: SIP });
    p.writeUInt16BE(p.length + 10, 4);
    ingest.ingest(p, 'udp');
    expect(await metric('sipcap_hep_malformed_total', { reason: 'bad_total_length' })).toBe(1);
    expect(await metric('sipcap_hep_auth_failed_total')).toBe(0);
  });

  it('without HEP_AUTH_KEY takes every packet, keyed or not', async () => {
    const { ingest, sent } = setup();
    ingest.ingest(encodeHep3({ ...addr, authKey: 'any', payload: SIP }), 'udp');
    ingest.ingest(encodeHep1({ ...addr, payload: SIP }), 'udp');
    expect(sent).toEqual(['ingest-1', 'ingest-1']);
  });
});
