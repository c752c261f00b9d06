// Filters at the agent (FILTER_*), against a running hep-agent: what a rule discards never reaches Kafka,
// a censored method arrives without its body, everything else arrives whole; each rule is counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';

const processes: AgentProcess[] = [];
beforeAll(() => buildApp('hep-agent'));
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) await p.stop();
});

function packet(
  run: string,
  n: number,
  start: string,
  cseq: string,
  opts: { src?: string; dst?: string; extra?: string; body?: string } = {},
): Buffer {
  const body = opts.body ?? '';
  const sip =
    `${start}\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-${n}\r\nFrom: <sip:a@example.com>;tag=${n}\r\nTo: <sip:b@example.com>\r\n` +
    `Call-ID: ${run}-${n}\r\nCSeq: ${cseq}\r\n${opts.extra ?? ''}Content-Length: ${body.length}\r\n\r\n${body}`;
  return encodeHep3({
    srcIp: opts.src ?? '192.0.2.1',
    dstIp: opts.dst ?? '192.0.2.2',
    srcPort: 5060,
    dstPort: 5060,
    tsSec: Math.floor(Date.now() / 1000),
    tsUsec: n,
    captureId: 1,
    payload: Buffer.from(sip),
  });
}

describe('FILTER_* rules in a running hep-agent', () => {
  it('discards by method (with replies), code, source, destination and User-Agent, censors MESSAGE bodies, counts each rule', async () => {
    const topic = await freshTopic(2, 'filter');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '2',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('filter-flag'),
      FILTER_DISCARD_METHODS: 'OPTIONS',
      FILTER_DISCARD_CODES: '100',
      FILTER_DISCARD_SRC: '10.0.0.0/8',
      FILTER_DISCARD_DST: '2001:db8::/32',
      FILTER_DISCARD_UA: 'friendly-scanner|sipvicious',
      FILTER_CENSOR_METHODS: 'MESSAGE',
    });
    processes.push(agent);
    await agent.waitForLog('hep-agent ready', 60_000);
    const run = uniqueName('flt');
    const reader = await readRecords(topic);
    const udp = await udpClient(port);
    try {
      await udp.send(packet(run, 1, 'OPTIONS sip:b@example.com SIP/2.0', '1 OPTIONS'));
      await udp.send(packet(run, 2, 'SIP/2.0 200 OK', '1 OPTIONS'));
      await udp.send(packet(run, 3, 'SIP/2.0 100 Trying', '1 INVITE'));
      await udp.send(packet(run, 4, 'INVITE sip:b@example.com SIP/2.0', '1 INVITE', { src: '10.9.8.7' }));
      await udp.send(packet(run, 5, 'INVITE sip:b@example.com SIP/2.0', '1 INVITE', { src: '2001:db9::7', dst: '2001:db8::1' }));
      await udp.send(packet(run, 6, 'REGISTER sip:example.com SIP/2.0', '1 REGISTER', { extra: 'User-Agent: friendly-scanner\r\n' }));
      await udp.send(
        packet(run, 7, 'MESSAGE sip:b@example.com SIP/2.0', '1 MESSAGE', {
          extra: 'Content-Type: text/plain\r\n',
          body: 'the PIN is 4711',
        }),
      );
      await udp.send(packet(run, 8, 'INVITE sip:b@example.com SIP/2.0', '1 INVITE', { extra: 'User-Agent: Zoiper\r\n' }));
      await udp.send(packet(run, 9, 'SIP/2.0 180 Ringing', '1 INVITE'));
    } finally {
      udp.close();
    }
    try {
      const got = await waitFor(
        'the 3 kept records',
        () => {
          const mine = reader.records.filter((r) => r.callid.startsWith(run));
          return mine.length >= 3 ? mine : undefined;
        },
        30_000,
        100,
      );
      await new Promise((r) => setTimeout(r, 500));
      const mine = reader.records.filter((r) => r.callid.startsWith(run));
      expect(mine.map((r) => r.callid).sort()).toEqual([`${run}-7`, `${run}-8`, `${run}-9`]);
      const message = got.find((r) => r.callid === `${run}-7`)!;
      expect(message.msg.toString()).not.toContain('4711');
      expect(message.msg.toString()).toContain('Content-Type: text/plain');
      expect(mine.find((r) => r.callid === `${run}-8`)!.msg.toString()).toContain('User-Agent: Zoiper');
    } finally {
      await reader.stop();
    }
    const m = (labels: string) => agent.metric('sipcap_filter_total', labels);
    expect(await m('{action="discard",rule="method",value="OPTIONS"}')).toBe(2);
    expect(await m('{action="discard",rule="code",value="100"}')).toBe(1);
    expect(await m('{action="discard",rule="src",value="10.0.0.0/8"}')).toBe(1);
    expect(await m('{action="discard",rule="dst",value="2001:db8::/32"}')).toBe(1);
    expect(await m('{action="discard",rule="user_agent",value="friendly-scanner|sipvicious"}')).toBe(1);
    expect(await m('{action="censor",rule="method",value="MESSAGE"}')).toBe(1);
  });
});
