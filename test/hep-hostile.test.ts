// Hostile HEP input and hostile TCP/TLS clients against a running hep-agent (the bundle operators run):
// chunk-16 bombs, wrong auth keys in front of bombs, 1,000 idle and 50 byte-trickling TCP connections,
// connections beyond the caps, a TLS client that never shakes hands. Valid traffic must still be published
// (read back from Kafka), what is refused counted under its reason, the agent's memory bounded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep1, encodeHep3 } from '@sipcap/hep';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep, tcpClient, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { sipMessage } from './support/sip-calls';

const TRICKLE_BYTE = Buffer.from([0x41]);
const ADDR = { srcIp: '192.0.2.70', dstIp: '192.0.2.71', srcPort: 5060, dstPort: 5060, ipProto: 17 };

const agents: AgentProcess[] = [];
beforeAll(() => buildApp('hep-agent'));
afterAll(async () => {
  for (const a of agents) {
    const exit = await a.stop();
    expect(exit, a.output()).toEqual({ code: 0, signal: null }); // a graceful stop, whatever was thrown at it
  }
});

async function startHepAgent(extra: Record<string, string> = {}): Promise<{ agent: AgentProcess; port: number; topic: string }> {
  const topic = await freshTopic(3, 'hep-hostile');
  const port = await freeTcpUdpPort();
  const agent = startAgent('hep-agent', {
    HEP_LISTEN: `127.0.0.1:${port}`,
    KAFKA_TOPIC: topic,
    KAFKA_PARTITIONS: '3',
    CAPTURE_ON: '1',
    CAPTURE_FLAG_KEY: uniqueName('hep-hostile-flag'),
    ...extra,
  });
  agents.push(agent);
  await agent.waitForLog('hep-agent ready');
  return { agent, port, topic };
}

/** The agent's resident memory (VmRSS) in bytes. */
function rssBytes(agent: AgentProcess): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${agent.child.pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmRSS');
  return Number(m[1]) * 1024;
}

/** A ~1.1 KB HEP3 packet whose chunk-16 payload inflates to `inflated` bytes of 'A'. */
function bomb(inflated = 1 << 20, authKey?: string): Buffer {
  return encodeHep3({ ...ADDR, payload: Buffer.alloc(inflated, 0x41), compress: true, authKey });
}

function valid(run: string, i: number, extra: { authKey?: string; compress?: boolean } = {}): { callId: string; packet: Buffer } {
  const callId = `${run}-${i}`;
  return {
    callId,
    packet: encodeHep3({ ...ADDR, payload: sipMessage({ callId, seq: i, method: 'INVITE', cseq: '1 INVITE', bodySize: 200 }), ...extra }),
  };
}

/** Sends datagrams, waiting every 200 for the agent to have read them, so no kernel drop blurs the counts. */
async function sendPaced(agent: AgentProcess, port: number, packets: Buffer[], alreadyReceived = 0): Promise<void> {
  const udp = await udpClient(port);
  let sent = 0;
  for (const p of packets) {
    await udp.send(p);
    if (++sent % 200 === 0) {
      await waitFor(
        'the agent to read the datagrams',
        async () =>
          (await agent.metric('sipcap_hep_received_total', '{transport="udp"}')) >= alreadyReceived + sent - 400 ? true : undefined,
        30_000,
        10,
      );
    }
  }
  udp.close();
}

/** Waits until every Call-ID is in the topic; returns how long that took after the call. */
async function expectPublished(reader: Awaited<ReturnType<typeof readRecords>>, callIds: string[], timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  const wanted = new Set(callIds);
  const seen = new Set<string>();
  await waitFor(
    `${callIds.length} Call-IDs in Kafka`,
    () => {
      for (const r of reader.records) if (wanted.has(r.callid)) seen.add(r.callid);
      return seen.size === wanted.size ? true : undefined;
    },
    timeoutMs,
    100,
  ).catch(() => undefined);
  const missing = callIds.filter((id) => !seen.has(id));
  expect(missing.slice(0, 5), `${missing.length} of ${callIds.length} not published`).toEqual([]);
  return Date.now() - t0;
}

/** A raw TCP connection; resolves once connected. Never rejects on a later reset. */
function openTcp(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  }).then((s) => {
    (s as Socket).on('error', () => undefined);
    return s as Socket;
  });
}

const closedWithin = (s: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (s.destroyed || s.readableEnded) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => (clearTimeout(t), resolve(true)));
  });

describe('hep-agent against chunk-16 bombs', () => {
  it('drops each bomb as payload_too_large and publishes the 1,000 valid packets sent after them within seconds, memory bounded', async () => {
    const a = await startHepAgent();
    const reader = await readRecords(a.topic);
    try {
      await sendPaced(a.agent, a.port, [valid(uniqueName('warm'), 0).packet]);
      const rss0 = rssBytes(a.agent);
      // 500 bombs of 1 MiB and 16 MiB over UDP (each ~1.1-16 KB on the wire), 50 more in one TCP stream.
      const bombs = Array.from({ length: 500 }, (_, i) => bomb(i % 10 === 0 ? 16 << 20 : 1 << 20));
      expect(bombs[1].length).toBeLessThan(1300);
      await sendPaced(a.agent, a.port, bombs, 1);
      const tcp = await tcpClient(a.port);
      await tcp.write(Buffer.concat(Array.from({ length: 50 }, () => bomb())));
      await waitFor(
        '551 UDP datagrams read',
        async () => ((await a.agent.metric('sipcap_hep_received_total', '{transport="udp"}')) === 501 ? true : undefined),
        20_000,
      );

      const run = uniqueName('after-bomb');
      const good = Array.from({ length: 1000 }, (_, i) => valid(run, i, { compress: i % 2 === 0 }));
      await sendPaced(
        a.agent,
        a.port,
        good.map((g) => g.packet),
        501,
      );
      const ms = await expectPublished(
        reader,
        good.map((g) => g.callId),
        20_000,
      );
      await tcp.end();

      await waitFor(
        '550 bombs counted',
        async () => ((await a.agent.metric('sipcap_hep_malformed_total', '{reason="payload_too_large"}')) === 550 ? true : undefined),
        10_000,
      );
      // No record beyond the valid ones: nothing inflated made it to Kafka.
      expect(reader.records.filter((r) => r.msg.length > 65_536)).toEqual([]);
      const growth = rssBytes(a.agent) - rss0;
      console.log(`bombs: 1,000 valid published ${ms} ms after the last was sent; RSS growth ${(growth / 1048576).toFixed(1)} MiB`);
      expect(ms).toBeLessThan(10_000);
      expect(growth).toBeLessThan(64 * 1024 * 1024);
      expect(await healthStatus(await a.agent.metricsPort())).toBe(200);
    } finally {
      await reader.stop();
    }
  }, 120_000);
});

describe('hep-agent with HEP_AUTH_KEY against wrong keys', () => {
  it('counts wrong and missing keys by reason before decoding (the bombs behind them never inflated) and publishes only the right key', async () => {
    const a = await startHepAgent({ HEP_AUTH_KEY: 'the-right-key' });
    const reader = await readRecords(a.topic);
    try {
      const wrong = Array.from({ length: 1000 }, (_, i) => bomb(1 << 20, i % 2 ? 'the-wrong-key' : 'guess'));
      const missing = [
        bomb(),
        encodeHep1({ ...ADDR, payload: sipMessage({ callId: uniqueName('v1'), seq: 1, method: 'INVITE', cseq: '1 INVITE' }) }),
      ];
      const run = uniqueName('keyed');
      const good = Array.from({ length: 100 }, (_, i) => valid(run, i, { authKey: 'the-right-key', compress: true }));
      const notPublished = valid(uniqueName('wrong-key'), 0, { authKey: 'the-right-kez' });
      await sendPaced(a.agent, a.port, [...wrong, ...missing, notPublished.packet, ...good.map((g) => g.packet)]);
      await expectPublished(
        reader,
        good.map((g) => g.callId),
        20_000,
      );
      await waitFor(
        'all counted',
        async () => ((await a.agent.metric('sipcap_hep_auth_failed_total')) === 1003 ? true : undefined),
        10_000,
      ).catch(() => undefined);
      expect(await a.agent.metric('sipcap_hep_auth_failed_total', '{reason="wrong"}')).toBe(1001);
      expect(await a.agent.metric('sipcap_hep_auth_failed_total', '{reason="missing"}')).toBe(2);
      // Only the right-key packets reached the decoder; no bomb was inflated to find out it was one.
      expect(await a.agent.metric('sipcap_hep_decoded_total')).toBe(100);
      await expect(a.agent.metric('sipcap_hep_malformed_total', '{reason="payload_too_large"}')).rejects.toThrow(/not found/);
      await sleep(300);
      expect(reader.records.some((r) => r.callid === notPublished.callId)).toBe(false);
      expect(reader.records.length).toBe(100);
    } finally {
      await reader.stop();
    }
  }, 120_000);
});

describe('hep-agent TCP under 1,000 idle and 50 trickling connections', () => {
  it('keeps publishing, stays within 64 MiB of RSS growth, refuses and counts connections beyond HEP_TCP_MAX_CONNECTIONS, closes idle ones after the timeout', async () => {
    const IDLE_S = 25;
    const a = await startHepAgent({
      HEP_TCP_MAX_CONNECTIONS: '1100',
      HEP_TCP_MAX_PER_SOURCE: '5000',
      HEP_TCP_IDLE_TIMEOUT_S: String(IDLE_S),
    });
    const reader = await readRecords(a.topic);
    const sockets: Socket[] = [];
    try {
      const warm = uniqueName('warm');
      const sender = await tcpClient(a.port);
      await sender.write(valid(warm, 0).packet);
      await expectPublished(reader, [`${warm}-0`], 20_000);
      const rss0 = rssBytes(a.agent);

      const opened = Date.now();
      for (let i = 0; i < 1000; i++) sockets.push(await openTcp(a.port));
      const tricklers = await Promise.all(Array.from({ length: 50 }, () => openTcp(a.port)));
      sockets.push(...tricklers);
      // 50 connections trickle a frame that declares 65,535 bytes, one byte per write: ~6,000 reads each,
      // which held ~2 MiB per connection when every read was kept (~100 MiB for the 50).
      const frameHead = Buffer.from([0x48, 0x45, 0x50, 0x33, 0xff, 0xff]);
      let k = 0;
      const trickled = (async () => {
        for (; k < 6000; k++) {
          for (const s of tricklers) if (!s.destroyed) s.write(k < 6 ? frameHead.subarray(k, k + 1) : TRICKLE_BYTE);
          if (k % 2 === 1) await sleep(1);
        }
      })();
      await waitFor(
        '1,051 open connections',
        async () => ((await a.agent.metric('sipcap_hep_connections', '{transport="tcp"}')) === 1051 ? true : undefined),
        20_000,
        100,
      );

      // Valid traffic meanwhile, over TCP (a connection opened before) and UDP.
      const run = uniqueName('under-load');
      const viaTcp = Array.from({ length: 200 }, (_, i) => valid(run, i));
      const viaUdp = Array.from({ length: 200 }, (_, i) => valid(run, 200 + i));
      for (const v of viaTcp) await sender.write(v.packet);
      await sendPaced(
        a.agent,
        a.port,
        viaUdp.map((v) => v.packet),
      );
      await expectPublished(
        reader,
        [...viaTcp, ...viaUdp].map((v) => v.callId),
        20_000,
      );
      await trickled;
      await sleep(1000); // the last trickled bytes read
      // Each trickler holds one buffer of its frame's declared length, whatever the number of reads.
      expect(await a.agent.metric('sipcap_hep_stream_pending_bytes')).toBe(50 * 65_535);

      // Beyond HEP_TCP_MAX_CONNECTIONS (1,100; 1,051 open): the server closes the rest at once, counted.
      const extra = await Promise.all(Array.from({ length: 100 }, () => openTcp(a.port).catch(() => undefined)));
      const extraClosed = (await Promise.all(extra.map((s) => (s ? closedWithin(s, 2000) : Promise.resolve(true))))).filter(Boolean).length;
      sockets.push(...extra.filter((s): s is Socket => s !== undefined));
      const refused = await a.agent.metric('sipcap_hep_connections_refused_total', '{reason="max_connections"}');
      expect(refused).toBeGreaterThanOrEqual(51);
      expect(extraClosed).toBe(refused);
      expect(await a.agent.metric('sipcap_hep_connections', '{transport="tcp"}')).toBeLessThanOrEqual(1100);

      const rss1 = rssBytes(a.agent);
      const growth = rss1 - rss0;
      console.log(
        `1,000 idle + 50 trickling (${k} writes each so far): RSS growth ${(growth / 1048576).toFixed(1)} MiB; ${refused} over the cap refused`,
      );
      expect(growth).toBeLessThan(64 * 1024 * 1024);
      expect(Date.now() - opened).toBeLessThan(IDLE_S * 1000); // all of the above happened before the idle timeout

      // After the idle timeout: the idle ones and the tricklers (no complete frame) are closed by the agent.
      const idle = sockets.slice(0, 1050);
      const results = await Promise.all(idle.map((s) => closedWithin(s, IDLE_S * 1000 + 5000)));
      expect(results.filter((x) => !x).length).toBe(0);
      expect(await a.agent.metric('sipcap_hep_connections_closed_total', '{reason="idle"}')).toBeGreaterThanOrEqual(1050);
      sender.socket.destroy();
      await waitFor(
        'the open-connection gauge back to 0',
        async () => ((await a.agent.metric('sipcap_hep_connections', '{transport="tcp"}')) === 0 ? true : undefined),
        10_000,
      );
      expect(await healthStatus(await a.agent.metricsPort())).toBe(200);
      sender.socket.destroy();
    } finally {
      for (const s of sockets) s.destroy();
      await reader.stop();
    }
  }, 180_000);

  it('refuses connections beyond HEP_TCP_MAX_PER_SOURCE from one address and counts them; other addresses still get in', async () => {
    const a = await startHepAgent({ HEP_TCP_MAX_PER_SOURCE: '5' });
    const reader = await readRecords(a.topic);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) sockets.push(await openTcp(a.port, '127.0.0.2'));
      const over = await Promise.all(Array.from({ length: 3 }, () => openTcp(a.port, '127.0.0.2')));
      sockets.push(...over);
      expect(await Promise.all(over.map((s) => closedWithin(s, 2000)))).toEqual([true, true, true]);
      expect(await a.agent.metric('sipcap_hep_connections_refused_total', '{reason="per_source"}')).toBe(3);
      // The five admitted ones still work, and another source is not affected.
      const run = uniqueName('per-source');
      const v0 = valid(run, 0);
      const v1 = valid(run, 1);
      sockets[0].write(v0.packet);
      const other = await openTcp(a.port, '127.0.0.3');
      sockets.push(other);
      other.write(v1.packet);
      await expectPublished(reader, [v0.callId, v1.callId], 20_000);
      expect(await closedWithin(other, 300)).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await reader.stop();
    }
  }, 60_000);
});

describe('hep-agent TLS handshake timeout', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hep-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'pipe' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('closes a client that never finishes the handshake after HEP_TLS_HANDSHAKE_TIMEOUT_MS, counted, and serves a real TLS client', async () => {
    const tlsPort = await freeTcpUdpPort();
    const a = await startHepAgent({
      HEP_TLS_LISTEN: `127.0.0.1:${tlsPort}`,
      HEP_TLS_CERT: join(dir, 'cert.pem'),
      HEP_TLS_KEY: join(dir, 'key.pem'),
      HEP_TLS_HANDSHAKE_TIMEOUT_MS: '500',
    });
    const reader = await readRecords(a.topic);
    try {
      const silent = await Promise.all(Array.from({ length: 5 }, () => openTcp(tlsPort)));
      const t0 = Date.now();
      expect(await Promise.all(silent.map((s) => closedWithin(s, 5000)))).toEqual([true, true, true, true, true]);
      expect(Date.now() - t0).toBeLessThan(3000);
      await waitFor(
        'handshake timeouts counted',
        async () =>
          (await a.agent.metric('sipcap_hep_connections_closed_total', '{reason="handshake_timeout"}')) === 5 ? true : undefined,
        5000,
      );
      // Their slots (per source and the open gauge) are given back.
      await waitFor(
        'no TLS connection left open',
        async () => ((await a.agent.metric('sipcap_hep_connections', '{transport="tls"}')) === 0 ? true : undefined),
        5000,
      );

      const v = valid(uniqueName('tls'), 0);
      const client = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false });
      await new Promise<void>((resolve, reject) => (client.once('secureConnect', resolve), client.once('error', reject)));
      client.write(v.packet);
      await expectPublished(reader, [v.callId], 20_000);
      client.destroy();
    } finally {
      await reader.stop();
    }
  }, 60_000);
});
