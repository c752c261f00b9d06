// hep-agent with HEP_WORKERS=2: two processes share the UDP socket and the TCP listener, the primary
// relays the capture flag from Redis, sums the workers' metrics on one /metrics, replaces a worker that
// dies (and counts it), and stops them in order. Against the real Kafka and Redis.
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { listAgents } from '@sipcap/fleet';
import { encodeHep3 } from '@sipcap/hep';
import { readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep, tcpClient, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { sipMessage } from './support/sip-calls';
import { processCpuSeconds, withChildren } from '../bench/e2e/cpu';

const redis = new Redis('redis://127.0.0.1:6379');
const agents: AgentProcess[] = [];
afterAll(async () => {
  for (const a of agents) await a.stop();
  redis.disconnect();
});

/** The worker processes of an agent. */
const children = (pid: number): number[] => withChildren(pid).slice(1);

let seq = 0;
const hep = (callId: string) =>
  encodeHep3({
    srcIp: '192.0.2.10',
    dstIp: '192.0.2.20',
    srcPort: 5060,
    dstPort: 5060,
    tsSec: 1_736_935_200,
    tsUsec: seq % 1_000_000,
    captureId: 2001,
    payload: sipMessage({ callId, seq: ++seq, method: 'INVITE', cseq: '1 INVITE', bodySize: 200 }),
  });

/** Sends `n` HEP packets over UDP, 200 per 10 ms, with Call-IDs prefix-0.. prefix-(n-1). */
async function sendUdp(port: number, prefix: string, n: number): Promise<void> {
  const udp = await udpClient(port);
  for (let i = 0; i < n; i++) {
    await udp.send(hep(`${prefix}-${i}`));
    if (i % 200 === 199) await sleep(10);
  }
  udp.close();
}

describe('hep-agent on two workers', () => {
  const flagKey = uniqueName('workers-flag');
  let agent: AgentProcess;
  let port: number;
  let topic: string;
  let reader: Awaited<ReturnType<typeof readRecords>>;
  const callIds = () => reader.records.map((r) => r.callid);

  it('starts two workers that share UDP and TCP, both decode, and one /metrics sums them', async () => {
    topic = await freshTopic(3, 'hep-workers');
    port = await freeTcpUdpPort();
    agent = startAgent('hep-agent', {
      HEP_WORKERS: '2',
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '3',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: flagKey,
    });
    agents.push(agent);
    await agent.waitForLog('telemetry listening');
    expect(await agent.metric('sipcap_agent_workers')).toBe(2);
    const workers = children(agent.child.pid!);
    expect(workers).toHaveLength(2);
    reader = await readRecords(topic);

    const before = workers.map(processCpuSeconds);
    await sendUdp(port, 'udp', 10_000);
    for (let c = 0; c < 20; c++) {
      const tcp = await tcpClient(port);
      for (let i = 0; i < 10; i++) await tcp.write(hep(`tcp-${c}-${i}`));
      await tcp.end();
    }
    await waitFor('10,200 records in Kafka', () => (reader.records.length >= 10_200 ? true : undefined), 60_000, 200);
    const ids = callIds();
    expect(new Set(ids).size).toBe(10_200);
    expect(ids).toHaveLength(10_200);
    // Both processes took a share of the datagrams (the kernel hands each to one reader of the socket).
    const used = workers.map((p, i) => processCpuSeconds(p) - before[i]);
    for (const u of used) expect(u, `CPU seconds of the workers: ${used.join(', ')}`).toBeGreaterThan(0.15 * (used[0] + used[1]));
    await waitFor(
      'the summed counters',
      async () => ((await agent.metric('sipcap_hep_received_total')) === 10_200 ? true : undefined),
      10_000,
      200,
    );
    expect(await agent.metric('sipcap_hep_received_total', '{transport="tcp"}')).toBe(200);
    expect(await agent.metric('sipcap_kafka_published_total')).toBe(10_200);
    expect(await healthStatus(await agent.metricsPort())).toBe(200);
  });

  it('relays the capture flag from Redis to every worker', async () => {
    await redis.set(flagKey, 'off');
    await waitFor('capture off', async () => ((await agent.metric('sipcap_capture_on')) === 0 ? true : undefined), 10_000, 100);
    await sleep(300); // the primary's message reaches the workers
    await sendUdp(port, 'off', 1_000);
    await waitFor(
      '1,000 dropped as capture_off',
      async () => ((await agent.metric('sipcap_capture_dropped_total', '{reason="capture_off"}')) === 1_000 ? true : undefined),
      10_000,
      200,
    );
    await redis.set(flagKey, 'on');
    await waitFor('capture on', async () => ((await agent.metric('sipcap_capture_on')) === 1 ? true : undefined), 10_000, 100);
    await sleep(300);
    await sendUdp(port, 'on', 1_000);
    await waitFor('1,000 more records', () => (reader.records.length >= 11_200 ? true : undefined), 30_000, 200);
    expect(callIds().filter((c) => c.startsWith('off-'))).toEqual([]);
    expect(callIds().filter((c) => c.startsWith('on-'))).toHaveLength(1_000);
  });

  it('replaces a killed worker, counts it, and goes on capturing', async () => {
    // Workers report every half second: what a worker counted after its last report dies with it.
    await waitFor(
      'the counters reported',
      async () => ((await agent.metric('sipcap_hep_received_total')) === 12_200 ? true : undefined),
      10_000,
      200,
    );
    const [victim, survivor] = children(agent.child.pid!);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      'the restart counted',
      async () => ((await agent.metric('sipcap_agent_worker_restarts_total')) === 1 ? true : undefined),
      10_000,
      100,
    );
    await waitFor('two workers again', async () => ((await agent.metric('sipcap_agent_workers')) === 2 ? true : undefined), 20_000, 200);
    const now = children(agent.child.pid!);
    expect(now).toContain(survivor);
    expect(now).not.toContain(victim);
    expect(agent.output()).toMatch(/worker \d died; a new one starts/);
    expect(await healthStatus(await agent.metricsPort())).toBe(200);
    // The counters did not go back with the dead worker.
    expect(await agent.metric('sipcap_hep_received_total')).toBe(12_200);
    await sendUdp(port, 'after', 2_000);
    await waitFor('2,000 more records', () => (reader.records.length >= 13_200 ? true : undefined), 30_000, 200);
    expect(callIds().filter((c) => c.startsWith('after-'))).toHaveLength(2_000);
    // One fleet report for the agent (the primary's), with the workers' totals and the restart.
    const report = await waitFor(
      'the fleet report of the restart',
      async () => {
        const mine = (await listAgents(redis)).filter((r) => r.pid === agent.child.pid || now.includes(r.pid));
        return mine.length === 1 && mine[0].counters.workerRestarts === 1 ? mine[0] : undefined;
      },
      15_000,
      250,
    );
    expect(report.app).toBe('hep-agent');
    expect(report.counters.received).toBeGreaterThanOrEqual(12_200);
  });

  it('stops in order: the workers flush and exit, then the primary exits 0', async () => {
    const workers = children(agent.child.pid!);
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
    for (const w of workers) expect(() => process.kill(w, 0)).toThrow();
    expect(agent.output()).toContain('stopped cleanly');
    await reader.stop();
  });

  it('a worker that cannot start stops the agent with the reason (exit 1), the others with it', async () => {
    const p = await freeTcpUdpPort();
    const tls = await freeTcpUdpPort();
    const bad = startAgent('hep-agent', {
      HEP_WORKERS: '2',
      HEP_LISTEN: `127.0.0.1:${p}`,
      HEP_TLS_LISTEN: `127.0.0.1:${tls}`,
      HEP_TLS_CERT: '/nonexistent/cert.pem',
      HEP_TLS_KEY: '/nonexistent/key.pem',
      KAFKA_TOPIC: await freshTopic(1, 'hep-workers-bad'),
      KAFKA_PARTITIONS: '1',
      CAPTURE_FLAG_KEY: uniqueName('workers-flag'),
    });
    agents.push(bad);
    const exit = await Promise.race([bad.exited, sleep(30_000).then(() => 'timeout' as const)]);
    expect(exit, bad.output()).toEqual({ code: 1, signal: null });
    expect(bad.output()).toMatch(/worker \d exited while starting/);
    expect(bad.output()).toContain('/nonexistent/cert.pem');
    expect(children(bad.child.pid!)).toEqual([]);
  });
});

/** A TCP connection to the agent from a given local address (127.0.0.x), open once connected. */
function openFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}
/** Whether the agent closed the connection within `ms`. */
const closedWithin = (s: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (s.destroyed || s.readableEnded) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => (clearTimeout(t), resolve(true)));
    s.on('error', () => undefined);
  });

describe('two workers under attack', () => {
  it('hold the agent-wide per-source TCP bound together, count garbage datagrams, and keep publishing valid traffic', async () => {
    const topic = await freshTopic(3, 'hep-workers-attack');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_WORKERS: '2',
      HEP_TCP_MAX_PER_SOURCE: '4', // 2 per worker
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '3',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('workers-flag'),
    });
    agents.push(agent);
    await agent.waitForLog('telemetry listening');
    const reader = await readRecords(topic);
    const sockets: Socket[] = [];
    try {
      // Eight connections from one address: whichever worker each lands on, at most four stay open.
      for (let i = 0; i < 8; i++) sockets.push(await openFrom(port, '127.0.0.2'));
      const closed = await Promise.all(sockets.map((s) => closedWithin(s, 2000)));
      const open = closed.filter((c) => !c).length;
      expect(open, `connections left open: ${open}`).toBeLessThanOrEqual(4);
      expect(open).toBeGreaterThan(0);
      await waitFor(
        'the refusals counted',
        async () => ((await agent.metric('sipcap_hep_connections_refused_total', '{reason="per_source"}')) === 8 - open ? true : undefined),
        10_000,
        200,
      );
      // Garbage over UDP (too short; a HEP3 packet with its magic overwritten), between valid packets.
      const udp = await udpClient(port);
      const badMagic = Buffer.from(hep('bad-magic'));
      badMagic.write('XXXX', 0);
      for (let i = 0; i < 300; i++) {
        await udp.send(Buffer.from([i & 0xff, 0x00, 0x01]));
        await udp.send(badMagic);
        await udp.send(hep(`attack-${i}`));
        if (i % 50 === 49) await sleep(10);
      }
      udp.close();
      // Another source still gets in over TCP, and an admitted connection still carries frames.
      const other = await openFrom(port, '127.0.0.3');
      sockets.push(other);
      other.write(hep('attack-tcp-other'));
      sockets[closed.indexOf(false)].write(hep('attack-tcp-admitted'));
      await waitFor(
        '302 valid records',
        () => (reader.records.filter((r) => r.callid.startsWith('attack-')).length >= 302 ? true : undefined),
        30_000,
        200,
      );
      const ids = reader.records.map((r) => r.callid).filter((c) => c.startsWith('attack-'));
      expect(new Set(ids).size).toBe(302);
      expect(ids).toHaveLength(302);
      await waitFor(
        '600 malformed counted',
        async () => ((await agent.metric('sipcap_hep_malformed_total').catch(() => 0)) === 600 ? true : undefined),
        10_000,
        200,
      );
      expect(await agent.metric('sipcap_agent_workers')).toBe(2);
      expect(await agent.metric('sipcap_agent_worker_restarts_total')).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await reader.stop();
    }
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);
});
