import { createSocket } from 'node:dgram';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';

// Two running hep-agents follow one Redis key: `set capture_on off` stops publishing on both within
// 500 ms, `on` resumes it, and a SIGTERM stops an agent cleanly after flushing what it queued.
const PORTS = [19161, 19162];

function invite(callid: string): Buffer {
  return Buffer.from(
    `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK${callid}\r\n` +
      `From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ${callid}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
  );
}

describe('capture control with two running agents', () => {
  const redis = new Redis('redis://127.0.0.1:6379');
  const key = uniqueName('capture_on_test');
  const agents: AgentProcess[] = [];
  const socket = createSocket('udp4');
  let topic: string;

  beforeAll(async () => {
    buildApp('hep-agent');
    topic = await freshTopic(3);
    for (const port of PORTS) {
      // REDIS_SET_KEYSPACE_EVENTS=1: a plain `redis-cli set` (no announcement on the channel) is followed at once.
      agents.push(
        startAgent('hep-agent', {
          REDIS_SET_KEYSPACE_EVENTS: '1',
          KAFKA_TOPIC: topic,
          CAPTURE_FLAG_KEY: key,
          CAPTURE_ON: '0',
          HEP_LISTEN: `127.0.0.1:${port}`,
          KAFKA_LINGER_MS: '2',
          CAPTURE_NODE: `node${port}`,
        }),
      );
    }
    for (const a of agents) await a.waitForLog('hep-agent ready');
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    socket.close();
    await redis.del(key);
    redis.disconnect();
  });

  /** Sends one INVITE to each agent every 10 ms, each with its send time in the Call-ID. */
  async function sendFor(ms: number, tag: string): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const now = Date.now();
      for (const port of PORTS) {
        const hep = encodeHep3({
          srcIp: '192.0.2.1',
          dstIp: '192.0.2.2',
          srcPort: 5060,
          dstPort: 5060,
          payload: invite(`${tag}-${port}-${now}`),
        });
        socket.send(hep, port, '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('absent key: agents follow CAPTURE_ON=0 and publish nothing', async () => {
    expect(await redis.exists(key)).toBe(0);
    await sendFor(300, 'absent');
    for (const a of agents) expect(await a.metric('sipcap_capture_dropped_total', '{reason="capture_off"}')).toBeGreaterThan(0);
    for (const a of agents) expect(await a.metric('sipcap_capture_on')).toBe(0);
  });

  it('on, off and on again: each agent follows within 500 ms', async () => {
    const reader = await readRecords(topic);
    try {
      const flips: { on: boolean; at: number }[] = [];
      const flip = async (on: boolean) => {
        flips.push({ on, at: Date.now() });
        await redis.set(key, on ? 'on' : 'off');
      };
      await flip(true);
      await sendFor(1500, 'phase1');
      await flip(false);
      await sendFor(1500, 'phase2');
      await flip(true);
      await sendFor(1500, 'phase3');
      const sentUntil = Date.now();
      await waitFor(
        'the last records',
        () =>
          reader.records.some((r) => r.callid.startsWith('phase3') && Number(r.callid.split('-')[2]) > sentUntil - 200) ? true : undefined,
        30_000,
      );

      for (const port of PORTS) {
        const times = reader.records.filter((r) => r.callid.split('-')[1] === String(port)).map((r) => Number(r.callid.split('-')[2]));
        const [on1, off, on2] = flips.map((f) => f.at);
        // Stopped: nothing sent later than 500 ms after "off" was published, until "on" again.
        const leaked = times.filter((t) => t > off + 500 && t < on2);
        expect(leaked, `agent ${port} published after off`).toEqual([]);
        // Running: everything sent from 500 ms after each "on" was published.
        const firstAfterOn1 = Math.min(...times.filter((t) => t >= on1 && t < off));
        const firstAfterOn2 = Math.min(...times.filter((t) => t >= on2));
        expect(firstAfterOn1 - on1, `agent ${port} resumed after the first on`).toBeLessThan(500);
        expect(firstAfterOn2 - on2, `agent ${port} resumed after the second on`).toBeLessThan(500);
        const sentAfterOn2 = times.filter((t) => t > on2 + 500).length;
        expect(sentAfterOn2).toBeGreaterThan(50);
      }
    } finally {
      await reader.stop();
    }
  });

  it('stops on SIGTERM with exit code 0 after flushing what it queued', async () => {
    await redis.set(key, 'on');
    await sendFor(200, 'last');
    const agent = agents.pop()!;
    const published = await agent.metric('sipcap_kafka_published_total');
    const r = await agent.stop();
    expect(r).toEqual({ code: 0, signal: null });
    expect(agent.output()).toContain('stopped cleanly');
    expect(published).toBeGreaterThan(0);
  });
});
