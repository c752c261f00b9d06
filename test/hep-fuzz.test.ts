// Robustness of a running hep-agent: 100,000+ mutated and random datagrams (seeded, reproducible with
// FUZZ_SEED) over UDP, interleaved with 2,000 valid HEP packets with unique Call-IDs, and a few hundred
// TCP connections sending mutated streams. The agent must stay up, healthy, and publish every valid one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep1, encodeHep2, encodeHep3, type HepEncodeInput } from '@sipcap/hep';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, tcpClient, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { sipMessage } from './support/sip-calls';
import { prng } from './support/prng';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c0de);
const FUZZ_DATAGRAMS = 100_000;
const VALID_EVERY = 50; // 2,000 valid ones among them
const TCP_CONNECTIONS = 300;

const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const randomBytes = (n: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
};

const ADDRS: Omit<HepEncodeInput, 'payload'>[] = [
  { srcIp: '192.0.2.10', dstIp: '192.0.2.20', srcPort: 5060, dstPort: 5060, ipProto: 17, tsSec: 1_736_935_200, tsUsec: 1, captureId: 2001 },
  { srcIp: '2001:db8::10', dstIp: '2001:db8::20', srcPort: 5062, dstPort: 5064, ipProto: 6, tsSec: 1_736_935_201, tsUsec: 2, captureId: 7 },
];

/** One valid packet of a random HEP version, family and option set. */
function validPacket(payload: Buffer): Buffer {
  const addr = pick(ADDRS);
  switch (int(6)) {
    case 0:
      return encodeHep1({ ...addr, payload });
    case 1:
      return encodeHep2({ ...addr, payload });
    case 2:
      return encodeHep3({ ...addr, payload, compress: true });
    case 3:
      return encodeHep3({ srcIp: addr.srcIp, dstIp: addr.dstIp, srcPort: addr.srcPort, dstPort: addr.dstPort, payload });
    case 4: {
      const eep = encodeHep3({ ...addr, payload });
      eep.write('EEP3', 0, 'latin1');
      return eep;
    }
    default:
      return encodeHep3({ ...addr, correlationId: 'corr-x', authKey: 'k', vlan: 12, nodeName: 'n1', keepAlive: 5, payload });
  }
}

/** Offsets of the chunk headers of a well-formed HEP3 packet. */
function chunkOffsets(p: Buffer): number[] {
  const out: number[] = [];
  for (let off = 6; off + 6 <= p.length;) {
    const len = p.readUInt16BE(off + 4);
    if (len < 6) break;
    out.push(off);
    off += len;
  }
  return out;
}

const LENGTHS = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 0x7fff, 0xfffe, 0xffff];

/** A mutated copy of one template, or pure noise. */
function mutant(templates: readonly Buffer[]): Buffer {
  const t = pick(templates);
  const kind = int(10);
  if (kind === 0) return t.subarray(0, int(t.length)); // truncated (0 .. length-1)
  if (kind <= 2) {
    const b = Buffer.from(t);
    for (let i = 1 + int(16); i > 0; i--) b[int(b.length)] ^= 1 << int(8); // bit flips
    return b;
  }
  if (kind === 3) {
    const b = Buffer.from(t);
    for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] = pick([0x00, 0xff, 0x06, 0x0a, int(256)]);
    return b;
  }
  if (kind <= 5) {
    // Length fields: HEP3 total length and chunk lengths; HEP v1/v2 header length, family and version.
    const b = Buffer.from(t);
    if (b[0] === 0x48 || b[0] === 0x45) {
      const chunks = chunkOffsets(b);
      if (int(3) === 0 || chunks.length === 0) b.writeUInt16BE(pick([...LENGTHS, b.length - 1, b.length + 1, int(65536)]), 4);
      else
        b.writeUInt16BE(
          pick([...LENGTHS, int(65536), b.readUInt16BE(pick(chunks) + 4) + pick([-1, 1, 2, 4, -4])]) & 0xffff,
          pick(chunks) + 4,
        );
    } else {
      const field = pick([0, 1, 1, 2, 3]);
      b[field] = pick([0, 1, 2, 3, 4, 10, 16, 20, 28, 40, 44, 52, 255, int(256)]);
    }
    return b;
  }
  if (kind === 6) {
    // Extra bytes after the packet, or a chunk with an unknown type or vendor inserted.
    if (int(2) === 0) return Buffer.concat([t, randomBytes(1 + int(64))]);
    const chunk = randomBytes(6 + int(20));
    chunk.writeUInt16BE(chunk.length + pick([0, 0, 0, 3, -3]), 4);
    return Buffer.concat([t.subarray(0, 6), chunk, t.subarray(6)]);
  }
  if (kind === 7) return Buffer.concat([t.subarray(0, int(t.length)), pick(templates).subarray(int(40))]); // spliced
  if (kind === 8) {
    const noise = randomBytes(int(1500));
    if (noise.length >= 4 && int(2) === 0) noise.write(pick(['HEP3', 'EEP3', '\x01\x10\x02\x11', '\x02\x28\x02\x11']), 0, 'latin1');
    return noise;
  }
  // Rare large ones, up to the largest UDP datagram on IPv4.
  return int(50) === 0 ? randomBytes(60_000 + int(5_500)) : randomBytes(int(64));
}

describe('hep-agent fuzz (seeded)', () => {
  let agent: AgentProcess;
  let port: number;
  let topic: string;

  beforeAll(async () => {
    buildApp('hep-agent');
    topic = await freshTopic(6, 'hep-fuzz');
    port = await freeTcpUdpPort();
    agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('hep-fuzz-flag'),
    });
    await agent.waitForLog('telemetry listening');
  });

  afterAll(async () => {
    const exit = await agent?.stop();
    expect(exit, agent?.output()).toEqual({ code: 0, signal: null });
  });

  it(`survives ${FUZZ_DATAGRAMS.toLocaleString('en')} mutated datagrams and publishes every valid one (seed ${SEED})`, async () => {
    const run = uniqueName('valid');
    const templates: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const payload = sipMessage({
        callId: `fuzz-base-${i}`,
        seq: i,
        method: pick(['INVITE', 'REGISTER', 'BYE']),
        cseq: '1 INVITE',
        bodySize: int(2) ? 0 : 200 + int(600),
      });
      templates.push(validPacket(payload));
    }
    const validIds: string[] = [];
    const udp = await udpClient(port);
    let sent = 0;
    let lastPace = 0;
    const t0 = Date.now();
    for (let i = 0; i < FUZZ_DATAGRAMS; i++) {
      if (i % VALID_EVERY === 0) {
        const callId = `${run}-${validIds.length}`;
        validIds.push(callId);
        await udp.send(validPacket(sipMessage({ callId, seq: i, method: 'INVITE', cseq: '1 INVITE', bodySize: int(400) })));
        sent++;
      }
      await udp.send(mutant(templates));
      sent++;
      // Pace on what the agent has read, so the socket buffer never overflows: robustness, not load.
      if (sent - lastPace >= 500) {
        lastPace = sent;
        await waitFor(
          'the agent to catch up',
          async () => (sent - (await agent.metric('sipcap_hep_received_total', '{transport="udp"}')) < 2_000 ? true : undefined),
          30_000,
          5,
        );
      }
    }
    udp.close();
    const sendMs = Date.now() - t0;

    // TCP: streams of valid frames with mutated ones among them, cut at random places.
    for (let c = 0; c < TCP_CONNECTIONS; c++) {
      const tcp = await tcpClient(port);
      tcp.socket.on('error', () => undefined); // the agent may close a stream it cannot frame
      const parts: Buffer[] = [];
      for (let k = 1 + int(5); k > 0; k--) parts.push(int(3) === 0 ? mutant(templates) : pick(templates).subarray(0));
      const stream = Buffer.concat(parts);
      for (let off = 0; off < stream.length && !tcp.socket.destroyed;) {
        const n = 1 + int(stream.length - off);
        await tcp.write(stream.subarray(off, off + n)).catch(() => undefined);
        off += n;
      }
      tcp.socket.destroy();
    }

    // Everything sent was read (no kernel drop) and every packet is either decoded or counted as malformed.
    await waitFor(
      'every datagram read',
      async () => ((await agent.metric('sipcap_hep_received_total', '{transport="udp"}')) === sent ? true : undefined),
      30_000,
    );
    // Read as separate scrapes while the last TCP streams may still be handled: wait until they agree.
    const counts = async () => {
      const received = await agent.metric('sipcap_hep_received_total');
      const decoded = await agent.metric('sipcap_hep_decoded_total');
      const malformed = await agent.metric('sipcap_hep_malformed_total');
      // A TCP stream that loses framing is counted once as malformed (stream_*), not per packet received.
      let streamErrors = 0;
      for (const reason of ['stream_bad_magic', 'stream_bad_frame_length']) {
        streamErrors += await agent.metric('sipcap_hep_malformed_total', `{reason="${reason}"}`).catch(() => 0);
      }
      return { received, decoded, malformed, streamErrors, accounted: decoded + malformed - streamErrors };
    };
    let c = await counts();
    await waitFor(
      'every packet decoded or counted as malformed',
      async () => ((c = await counts()).accounted === c.received ? true : undefined),
      10_000,
      200,
    ).catch(() => undefined);
    expect(c.accounted).toBe(c.received);
    const { decoded, malformed } = c;
    expect(malformed).toBeGreaterThan(FUZZ_DATAGRAMS / 4);

    const reader = await readRecords(topic);
    try {
      const wanted = new Set(validIds);
      const seen = new Set<string>();
      await waitFor(
        `${validIds.length} valid Call-IDs in Kafka`,
        () => {
          for (const r of reader.records) if (wanted.has(r.callid)) seen.add(r.callid);
          return seen.size === wanted.size ? true : undefined;
        },
        60_000,
        250,
      ).catch(() => undefined);
      const missing = validIds.filter((id) => !seen.has(id));
      expect(missing.slice(0, 10), `${missing.length} valid packets not published`).toEqual([]);
      expect(seen.size).toBe(2_000);
    } finally {
      await reader.stop();
    }

    expect(agent.child.exitCode).toBeNull();
    expect(await healthStatus(await agent.metricsPort())).toBe(200);
    console.log(
      `fuzz seed ${SEED}: ${sent} datagrams sent in ${sendMs} ms, ${malformed} malformed, ${decoded} decoded, ${TCP_CONNECTIONS} TCP streams`,
    );
  }, 300_000);
});
