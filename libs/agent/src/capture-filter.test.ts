import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import pino from 'pino';
import { parseSip, type SipMessage } from '@sipcap/sip';
import { decodeRecord } from '@sipcap/record';
import { CaptureFilter, censoredMessage } from './capture-filter';
import { CapturePublisher } from './capture-publisher';

function sip(start: string, cseq: string, extra = '', body = ''): Buffer {
  return Buffer.from(
    `${start}\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n` +
      `Call-ID: filter-1@example.com\r\nCSeq: ${cseq}\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`,
  );
}
function parsed(b: Buffer): SipMessage {
  const r = parseSip(b);
  if (!r.ok) throw new Error(r.message);
  return r.sip;
}

const options = parsed(sip('OPTIONS sip:b@example.com SIP/2.0', '1 OPTIONS'));
const optionsOk = parsed(sip('SIP/2.0 200 OK', '1 OPTIONS'));
const trying = parsed(sip('SIP/2.0 100 Trying', '1 INVITE'));
const invite = parsed(sip('INVITE sip:b@example.com SIP/2.0', '1 INVITE', 'User-Agent: friendly-scanner 1.0\r\n'));
const message = parsed(sip('MESSAGE sip:b@example.com SIP/2.0', '2 MESSAGE', 'Content-Type: text/plain\r\n', 'my secret text'));

describe('CaptureFilter', () => {
  it('is inactive without rules and keeps everything', () => {
    const f = new CaptureFilter({});
    expect(f.active).toBe(false);
    expect(f.decide(options, '192.0.2.1', '192.0.2.2')).toEqual({ action: 'keep' });
  });

  it('discards a method and the replies to it (CSeq method)', () => {
    const f = new CaptureFilter({ discardMethods: ['OPTIONS'] });
    expect(f.decide(options, '192.0.2.1', '192.0.2.2')).toEqual({ action: 'discard', rule: 'method', value: 'OPTIONS' });
    expect(f.decide(optionsOk, '192.0.2.1', '192.0.2.2')).toEqual({ action: 'discard', rule: 'method', value: 'OPTIONS' });
    expect(f.decide(invite, '192.0.2.1', '192.0.2.2').action).toBe('keep');
  });

  it('discards replies by status code only', () => {
    const f = new CaptureFilter({ discardCodes: [100] });
    expect(f.decide(trying, '192.0.2.1', '192.0.2.2')).toEqual({ action: 'discard', rule: 'code', value: '100' });
    expect(f.decide(invite, '192.0.2.1', '192.0.2.2').action).toBe('keep');
  });

  it('discards by source or destination address and CIDR, IPv4 and IPv6', () => {
    const f = new CaptureFilter({ discardSrc: ['10.0.0.0/8', '2001:db8::/32'], discardDst: ['192.0.2.99'] });
    expect(f.decide(invite, '10.20.30.40', '192.0.2.2')).toEqual({ action: 'discard', rule: 'src', value: '10.0.0.0/8' });
    expect(f.decide(invite, '11.0.0.1', '192.0.2.2').action).toBe('keep');
    expect(f.decide(invite, '2001:db8:1::5', '192.0.2.2')).toEqual({ action: 'discard', rule: 'src', value: '2001:db8::/32' });
    expect(f.decide(invite, '2001:db9::5', '192.0.2.2').action).toBe('keep');
    expect(f.decide(invite, '11.0.0.1', '192.0.2.99')).toEqual({ action: 'discard', rule: 'dst', value: '192.0.2.99' });
    // Remembered decisions give the same answers.
    expect(f.decide(invite, '10.20.30.40', '192.0.2.2').action).toBe('discard');
    expect(f.decide(invite, '11.0.0.1', '192.0.2.2').action).toBe('keep');
    expect(f.decide(invite, '10.0.0.300', '192.0.2.2').action).toBe('keep'); // not an address
  });

  it('discards by User-Agent pattern', () => {
    const f = new CaptureFilter({ discardUserAgent: 'friendly-scanner|sipvicious' });
    expect(f.decide(invite, '192.0.2.1', '192.0.2.2')).toEqual({
      action: 'discard',
      rule: 'user_agent',
      value: 'friendly-scanner|sipvicious',
    });
    expect(f.decide(options, '192.0.2.1', '192.0.2.2').action).toBe('keep');
  });

  it('censors a method: the message keeps its headers, not its body', () => {
    const f = new CaptureFilter({ censorMethods: ['MESSAGE'] });
    expect(f.decide(message, '192.0.2.1', '192.0.2.2')).toEqual({ action: 'censor' });
    const raw = sip('MESSAGE sip:b@example.com SIP/2.0', '2 MESSAGE', 'Content-Type: text/plain\r\n', 'my secret text');
    const cut = censoredMessage(raw);
    expect(cut.toString()).not.toContain('secret');
    expect(cut.toString().endsWith('Content-Length: 14\r\n\r\n')).toBe(true);
  });
});

describe('CapturePublisher with filters', () => {
  it('publishes neither discarded messages nor censored bodies, and counts each rule from zero', async () => {
    const registry = new Registry();
    const published: Buffer[] = [];
    const p = new CapturePublisher({
      captureNode: 'n',
      callidAlegHeaders: [],
      customHeaders: [],
      captureBadMsgs: false,
      filter: { discardMethods: ['OPTIONS'], discardCodes: [100], censorMethods: ['MESSAGE'], discardSrc: ['10.0.0.0/8'] },
      sink: { publish: (_k, v) => (published.push(v), true) },
      flag: { isOn: () => true },
      log: pino({ level: 'silent' }),
      registry,
    });
    const base = {
      srcIp: '192.0.2.1',
      srcPort: 5060,
      dstIp: '192.0.2.2',
      dstPort: 5060,
      family: 2,
      proto: 1,
      microTs: BigInt(Date.now()) * 1000n,
    };
    expect(p.capture({ ...base, payload: sip('OPTIONS sip:b@example.com SIP/2.0', '1 OPTIONS') })).toBe('filtered');
    expect(p.capture({ ...base, payload: sip('SIP/2.0 100 Trying', '1 INVITE') })).toBe('filtered');
    expect(p.capture({ ...base, srcIp: '10.1.1.1', payload: sip('INVITE sip:b@example.com SIP/2.0', '1 INVITE') })).toBe('filtered');
    expect(
      p.capture({
        ...base,
        payload: sip('MESSAGE sip:b@example.com SIP/2.0', '2 MESSAGE', 'Content-Type: text/plain\r\n', 'my secret text'),
      }),
    ).toBe('published');
    expect(p.capture({ ...base, payload: sip('INVITE sip:b@example.com SIP/2.0', '1 INVITE') })).toBe('published');
    expect(published).toHaveLength(2);
    const msg = decodeRecord(published[0]);
    if (!msg.ok) throw new Error('record');
    expect(msg.record.method).toBe('MESSAGE');
    expect(msg.record.msg.toString()).not.toContain('secret');
    const text = await registry.metrics();
    expect(text).toContain('sipcap_filter_total{action="discard",rule="method",value="OPTIONS"} 1');
    expect(text).toContain('sipcap_filter_total{action="discard",rule="code",value="100"} 1');
    expect(text).toContain('sipcap_filter_total{action="discard",rule="src",value="10.0.0.0/8"} 1');
    expect(text).toContain('sipcap_filter_total{action="censor",rule="method",value="MESSAGE"} 1');
    expect(p.totals.filtered).toBe(3);
  });
});
