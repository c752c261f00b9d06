// A running hep-agent (the bundle operators run) receives HEP v1, v2 and v3 over UDP and v3 over TCP;
// the records are read back from the real Kafka topic and checked field by field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep1, encodeHep2, encodeHep3, type HepEncodeInput } from '@sipcap/hep';
import type { CaptureRecord } from '@sipcap/record';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep, tcpClient, topicMessageCount, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { sipMessage } from './support/sip-calls';

interface RunningAgent {
  agent: AgentProcess;
  port: number;
  topic: string;
}

const agents: AgentProcess[] = [];
afterAll(async () => {
  for (const a of agents) {
    const exit = await a.stop();
    expect(exit, a.output()).toEqual({ code: 0, signal: null }); // a graceful stop
  }
});

/** Starts a hep-agent on its own topic, port and capture flag key (absent from Redis: CAPTURE_ON rules). */
async function startHepAgent(extra: Record<string, string> = {}): Promise<RunningAgent> {
  const topic = await freshTopic(3, 'hep-agent');
  const port = await freeTcpUdpPort();
  const agent = startAgent('hep-agent', {
    HEP_LISTEN: `127.0.0.1:${port}`,
    KAFKA_TOPIC: topic,
    KAFKA_PARTITIONS: '3',
    CAPTURE_ON: '1',
    CAPTURE_FLAG_KEY: uniqueName('hep-agent-flag'),
    ...extra,
  });
  agents.push(agent);
  await agent.waitForLog('telemetry listening');
  return { agent, port, topic };
}

const T_SEC = 1_736_935_200; // 2025-01-15 10:00:00 UTC
let seq = 0;

/** A realistic INVITE (or reply) with its own Call-ID. */
function sip(kind: 'INVITE' | 'reply' = 'INVITE'): { callId: string; payload: Buffer } {
  const callId = `${uniqueName('c')}@hep-agent.test`;
  seq++;
  const payload =
    kind === 'INVITE'
      ? sipMessage({ callId, seq, method: 'INVITE', cseq: '1 INVITE', bodySize: 300 })
      : sipMessage({ callId, seq, status: 180, cseq: '1 INVITE' });
  return { callId, payload };
}

/** The HEP-derived columns of a record, for one comparison. */
function hepColumns(r: CaptureRecord) {
  return {
    source_ip: r.source_ip,
    source_port: r.source_port,
    destination_ip: r.destination_ip,
    destination_port: r.destination_port,
    family: r.family,
    proto: r.proto,
    node: r.node,
    correlation_id: r.correlation_id,
    callid: r.callid,
  };
}

describe('hep-agent: HEP in, capture records out to Kafka', () => {
  let main: RunningAgent;
  let reader: Awaited<ReturnType<typeof readRecords>>;

  const recordOf = (callId: string) => waitFor(`the record of ${callId}`, () => reader.records.find((r) => r.callid === callId), 20_000);

  beforeAll(async () => {
    buildApp('hep-agent');
    main = await startHepAgent();
    reader = await readRecords(main.topic);
  });

  afterAll(async () => {
    await reader?.stop();
  });

  it('HEP v1 over UDP, IPv4 and IPv6: addresses, ports, transport, the agent clock as time, node without id', async () => {
    const udp = await udpClient(main.port);
    const v4 = sip();
    const v6 = sip('reply');
    const before = BigInt(Date.now()) * 1000n;
    await udp.send(
      encodeHep1({ srcIp: '192.0.2.10', dstIp: '192.0.2.20', srcPort: 5060, dstPort: 5080, ipProto: 17, payload: v4.payload }),
    );
    // Written long-hand: the record must hold the canonical text form.
    await udp.send(
      encodeHep1({
        srcIp: '2001:DB8:0:0:0:0:0:10',
        dstIp: '2001:db8::1:0:0:20',
        srcPort: 5062,
        dstPort: 5064,
        ipProto: 6,
        payload: v6.payload,
      }),
    );
    const r4 = await recordOf(v4.callId);
    const r6 = await recordOf(v6.callId);
    // The agent's clock counts microseconds within the millisecond Date.now() reads: up to its end.
    const after = BigInt(Date.now() + 1) * 1000n;
    udp.close();

    expect(hepColumns(r4)).toEqual({
      source_ip: '192.0.2.10',
      source_port: 5060,
      destination_ip: '192.0.2.20',
      destination_port: 5080,
      family: 2,
      proto: 1,
      node: 'homer01',
      correlation_id: v4.callId,
      callid: v4.callId,
    });
    expect(hepColumns(r6)).toEqual({
      source_ip: '2001:db8::10',
      source_port: 5062,
      destination_ip: '2001:db8::1:0:0:20',
      destination_port: 5064,
      family: 10,
      proto: 2,
      node: 'homer01',
      correlation_id: v6.callId,
      callid: v6.callId,
    });
    for (const r of [r4, r6]) {
      // HEP v1 has no time: the agent's clock on receipt.
      expect(r.micro_ts >= before && r.micro_ts <= after, `micro_ts ${r.micro_ts} within [${before}, ${after}]`).toBe(true);
    }
    expect(r4.msg.equals(v4.payload)).toBe(true);
    expect(r6.msg.equals(v6.payload)).toBe(true);
    expect([r4.method, r4.type, r4.cseq]).toEqual(['INVITE', 1, '1 INVITE']);
    expect([r6.method, r6.reply_reason, r6.type]).toEqual(['180', 'Ringing', 2]);
  });

  it('HEP v2 over UDP: the little-endian time header gives micro_ts, its capture id the node', async () => {
    const udp = await udpClient(main.port);
    const v4 = sip();
    const v6 = sip();
    await udp.send(
      encodeHep2({
        srcIp: '198.51.100.1',
        dstIp: '198.51.100.2',
        srcPort: 5070,
        dstPort: 5071,
        ipProto: 17,
        tsSec: T_SEC,
        tsUsec: 654_321,
        captureId: 2001,
        payload: v4.payload,
      }),
    );
    await udp.send(
      encodeHep2({
        srcIp: 'fe80::1',
        dstIp: 'fe80::2',
        srcPort: 1,
        dstPort: 65535,
        ipProto: 132,
        tsSec: T_SEC + 1,
        tsUsec: 7,
        captureId: 65535,
        payload: v6.payload,
      }),
    );
    const r4 = await recordOf(v4.callId);
    const r6 = await recordOf(v6.callId);
    udp.close();

    expect({ ...hepColumns(r4), micro_ts: r4.micro_ts }).toEqual({
      source_ip: '198.51.100.1',
      source_port: 5070,
      destination_ip: '198.51.100.2',
      destination_port: 5071,
      family: 2,
      proto: 1,
      node: 'homer01:2001',
      correlation_id: v4.callId,
      callid: v4.callId,
      micro_ts: BigInt(T_SEC) * 1_000_000n + 654_321n,
    });
    expect({ ...hepColumns(r6), micro_ts: r6.micro_ts }).toEqual({
      source_ip: 'fe80::1',
      source_port: 1,
      destination_ip: 'fe80::2',
      destination_port: 65535,
      family: 10,
      proto: 4,
      node: 'homer01:65535',
      correlation_id: v6.callId,
      callid: v6.callId,
      micro_ts: BigInt(T_SEC + 1) * 1_000_000n + 7n,
    });
    expect(r4.msg.equals(v4.payload)).toBe(true);
    expect(r6.msg.equals(v6.payload)).toBe(true);
  });

  it('HEP v3 over UDP: every chunk (time, capture id, correlation id, VLAN, node name, keep-alive), IPv6, compressed payload', async () => {
    const udp = await udpClient(main.port);
    const full = sip();
    const compressed = sip('reply');
    const bare = sip();
    await udp.send(
      encodeHep3({
        srcIp: '203.0.113.5',
        dstIp: '203.0.113.6',
        srcPort: 5060,
        dstPort: 5061,
        ipProto: 6,
        tsSec: T_SEC,
        tsUsec: 999_999,
        captureId: 4_000_000_000,
        authKey: 'ignored-without-HEP_AUTH_KEY',
        correlationId: 'corr-Ω-42',
        vlan: 100,
        nodeName: 'edge-1',
        keepAlive: 30,
        payload: full.payload,
      }),
    );
    await udp.send(
      encodeHep3({
        srcIp: '2001:db8:85a3::8a2e:370:7334',
        dstIp: '::1',
        srcPort: 5080,
        dstPort: 5090,
        ipProto: 17,
        tsSec: T_SEC + 2,
        tsUsec: 0,
        captureId: 7,
        payload: compressed.payload,
        compress: true,
      }),
    );
    const before = BigInt(Date.now()) * 1000n;
    // No time chunks, no capture id, no correlation id, no IP protocol: agent clock, plain node, the Call-ID.
    await udp.send(encodeHep3({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1024, dstPort: 5060, payload: bare.payload }));
    const rFull = await recordOf(full.callId);
    const rComp = await recordOf(compressed.callId);
    const rBare = await recordOf(bare.callId);
    const after = BigInt(Date.now() + 1) * 1000n; // the end of Date.now()'s millisecond, as above
    udp.close();

    expect({ ...hepColumns(rFull), micro_ts: rFull.micro_ts }).toEqual({
      source_ip: '203.0.113.5',
      source_port: 5060,
      destination_ip: '203.0.113.6',
      destination_port: 5061,
      family: 2,
      proto: 2,
      node: 'homer01:4000000000',
      correlation_id: 'corr-Ω-42',
      callid: full.callId,
      micro_ts: BigInt(T_SEC) * 1_000_000n + 999_999n,
    });
    expect({ ...hepColumns(rComp), micro_ts: rComp.micro_ts }).toEqual({
      source_ip: '2001:db8:85a3::8a2e:370:7334',
      source_port: 5080,
      destination_ip: '::1',
      destination_port: 5090,
      family: 10,
      proto: 1,
      node: 'homer01:7',
      correlation_id: compressed.callId,
      callid: compressed.callId,
      micro_ts: BigInt(T_SEC + 2) * 1_000_000n,
    });
    expect(hepColumns(rBare)).toEqual({
      source_ip: '10.0.0.1',
      source_port: 1024,
      destination_ip: '10.0.0.2',
      destination_port: 5060,
      family: 2,
      proto: 1,
      node: 'homer01',
      correlation_id: bare.callId,
      callid: bare.callId,
    });
    expect(rBare.micro_ts >= before && rBare.micro_ts <= after).toBe(true);
    // The compressed payload arrives inflated, byte for byte.
    expect(rFull.msg.equals(full.payload)).toBe(true);
    expect(rComp.msg.equals(compressed.payload)).toBe(true);
    expect(rBare.msg.equals(bare.payload)).toBe(true);
  });

  it('HEP v3 over TCP: several frames in one write, and frames split across writes', async () => {
    const tcp = await tcpClient(main.port);
    const base = {
      srcIp: '192.0.2.30',
      dstIp: '2001:db8::30',
      srcPort: 40000,
      dstPort: 5060,
      ipProto: 6,
      tsSec: T_SEC,
      captureId: 3,
    } as const;
    const family = (i: number): Omit<HepEncodeInput, 'payload'> =>
      i % 2 === 0 ? { ...base, dstIp: '192.0.2.31', tsUsec: i } : { ...base, srcIp: '2001:db8::29', tsUsec: i };
    const messages = Array.from({ length: 8 }, (_, i) => ({ ...sip(i % 3 === 0 ? 'reply' : 'INVITE'), i }));
    const frames = messages.map((m) => encodeHep3({ ...family(m.i), correlationId: `tcp-${m.i}`, payload: m.payload }));

    // Frames 0-3 in one write.
    await tcp.write(Buffer.concat(frames.slice(0, 4)));
    // Frame 4 in three pieces: inside the 6-byte header, inside a chunk, the rest; with pauses so they are separate reads.
    await tcp.write(frames[4].subarray(0, 3));
    await sleep(50);
    await tcp.write(frames[4].subarray(3, 40));
    await sleep(50);
    // The end of frame 4, frame 5 whole and the head of frame 6 in one write; then the rest of 6 with 7.
    await tcp.write(Buffer.concat([frames[4].subarray(40), frames[5], frames[6].subarray(0, 100)]));
    await sleep(50);
    await tcp.write(Buffer.concat([frames[6].subarray(100), frames[7]]));

    for (const m of messages) {
      const r = await recordOf(m.callId);
      const even = m.i % 2 === 0;
      expect({ ...hepColumns(r), micro_ts: r.micro_ts }, `frame ${m.i}`).toEqual({
        source_ip: even ? '192.0.2.30' : '2001:db8::29',
        source_port: 40000,
        destination_ip: even ? '192.0.2.31' : '2001:db8::30',
        destination_port: 5060,
        family: even ? 2 : 10,
        proto: 2,
        node: 'homer01:3',
        correlation_id: `tcp-${m.i}`,
        callid: m.callId,
        micro_ts: BigInt(T_SEC) * 1_000_000n + BigInt(m.i),
      });
      expect(r.msg.equals(m.payload), `msg of frame ${m.i}`).toBe(true);
    }
    await tcp.end();
    expect(await main.agent.metric('sipcap_hep_received_total', '{transport="tcp"}')).toBe(frames.length);
  });

  it('counts a non-SIP payload type (RTCP, log) by type and does not publish it', async () => {
    const udp = await udpClient(main.port);
    const rtcp = sip();
    const log = sip();
    const sentinel = sip();
    const addr = { srcIp: '192.0.2.40', dstIp: '192.0.2.41', srcPort: 5004, dstPort: 5005, tsSec: T_SEC, tsUsec: 1 };
    const rtcpBefore = await main.agent.metric('sipcap_hep_non_sip_total', '{type="rtcp"}').catch(() => 0);
    // SIP bytes under a non-SIP type: they must not be parsed as SIP and published.
    await udp.send(encodeHep3({ ...addr, payloadType: 5, payload: rtcp.payload }));
    await udp.send(encodeHep3({ ...addr, payloadType: 100, payload: log.payload }));
    await udp.send(encodeHep3({ ...addr, payload: sentinel.payload }));
    await recordOf(sentinel.callId);
    await sleep(300);
    udp.close();
    expect(reader.records.some((r) => r.callid === rtcp.callId || r.callid === log.callId)).toBe(false);
    expect(await main.agent.metric('sipcap_hep_non_sip_total', '{type="rtcp"}')).toBe(rtcpBefore + 1);
    expect(await main.agent.metric('sipcap_hep_non_sip_total', '{type="log"}')).toBeGreaterThanOrEqual(1);
  });

  it('keeps serving after malformed datagrams and a TCP stream that loses framing', async () => {
    const udp = await udpClient(main.port);
    await udp.send(Buffer.alloc(0));
    await udp.send(Buffer.from('HEP3\x00\xff garbage'));
    const tcp = await tcpClient(main.port);
    const closed = new Promise<void>((r) => tcp.socket.once('close', () => r()));
    tcp.socket.on('error', () => undefined);
    await tcp.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await closed; // the agent closes a stream that is not HEP
    const after = sip();
    await udp.send(encodeHep3({ srcIp: '192.0.2.50', dstIp: '192.0.2.51', srcPort: 5060, dstPort: 5060, payload: after.payload }));
    await recordOf(after.callId);
    udp.close();
    expect(await main.agent.metric('sipcap_hep_malformed_total')).toBeGreaterThanOrEqual(2);
    expect(await main.agent.metric('sipcap_hep_malformed_total', '{reason="stream_bad_magic"}')).toBe(1);
    expect(await healthStatus(await main.agent.metricsPort())).toBe(200);
  });
});

describe('hep-agent with HEP_AUTH_KEY', () => {
  it('publishes only packets carrying the key and counts the others', async () => {
    const a = await startHepAgent({ HEP_AUTH_KEY: 's3cret' });
    const reader = await readRecords(a.topic);
    try {
      const udp = await udpClient(a.port);
      const addr = { srcIp: '192.0.2.60', dstIp: '192.0.2.61', srcPort: 5060, dstPort: 5060 };
      const none = sip();
      const wrong = sip();
      const prefix = sip();
      const v1 = sip();
      const good = sip();
      await udp.send(encodeHep3({ ...addr, payload: none.payload }));
      await udp.send(encodeHep3({ ...addr, authKey: 'wrong', payload: wrong.payload }));
      await udp.send(encodeHep3({ ...addr, authKey: 's3cre', payload: prefix.payload }));
      await udp.send(encodeHep1({ ...addr, payload: v1.payload })); // HEP v1 cannot carry a key
      await udp.send(encodeHep3({ ...addr, authKey: 's3cret', payload: good.payload }));
      const r = await waitFor('the authenticated record', () => reader.records.find((x) => x.callid === good.callId), 20_000);
      await sleep(300);
      udp.close();
      expect(r.msg.equals(good.payload)).toBe(true);
      expect(reader.records.map((x) => x.callid)).toEqual([good.callId]);
      expect(await a.agent.metric('sipcap_hep_auth_failed_total')).toBe(4);
      // The key is a secret: never in the log.
      expect(a.agent.output()).not.toContain('s3cret');
    } finally {
      await reader.stop();
    }
  });
});

describe('hep-agent with capture off', () => {
  it('publishes nothing while CAPTURE_ON=0 and the flag key is absent', async () => {
    const a = await startHepAgent({ CAPTURE_ON: '0' });
    const udp = await udpClient(a.port);
    const tcp = await tcpClient(a.port);
    const n = 20;
    for (let i = 0; i < n; i++) {
      const m = encodeHep3({
        srcIp: '192.0.2.70',
        dstIp: '192.0.2.71',
        srcPort: 5060,
        dstPort: 5060,
        tsSec: T_SEC,
        tsUsec: i,
        payload: sip().payload,
      });
      await (i % 2 === 0 ? udp.send(m) : tcp.write(m));
    }
    await waitFor(
      'every packet counted as capture_off',
      async () => (await a.agent.metric('sipcap_capture_dropped_total', '{reason="capture_off"}').catch(() => 0)) === n || undefined,
    );
    udp.close();
    await tcp.end();
    await sleep(500); // well past KAFKA_LINGER_MS: anything queued would be in the topic now
    expect(await topicMessageCount(a.topic)).toBe(0);
    expect(await a.agent.metric('sipcap_hep_received_total')).toBe(n);
    expect(await a.agent.metric('sipcap_capture_on')).toBe(0);
  });
});
