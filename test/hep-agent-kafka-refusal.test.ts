// Issue 13: one HEP packet whose record the broker refuses must not stop capture. A running hep-agent gets a
// chunk-16 payload that inflates to ~60 KB (under the 64 KiB inflate cap) while its topic's max.message.bytes
// is 10000: the broker refuses that record (MESSAGE_TOO_LARGE). The 1,000 valid packets after it must be
// published within seconds, the agent's memory stay bounded, and the agent stop gracefully.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes } from 'kafkajs';
import { encodeHep3 } from '@sipcap/hep';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, sleep, udpClient } from './support/apps';
import { freshTopic, testKafka, uniqueName, waitFor } from './support/kafka';
import { sipMessage } from './support/sip-calls';

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function setMaxMessageBytes(topic: string, bytes: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(bytes) }] }],
  });
  await waitFor('the topic config to change', async () => {
    const r = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    });
    return r.resources[0].configEntries[0]?.configValue === String(bytes) ? true : undefined;
  });
  await admin.disconnect();
}

describe('hep-agent: a record the broker refuses does not stop capture', () => {
  let agent: AgentProcess;
  let topic: string;
  let port: number;
  beforeAll(async () => {
    buildApp('hep-agent');
    topic = await freshTopic(3, 'hep-refusal');
    port = await freeTcpUdpPort();
    agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '3',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('refusal-flag'),
    });
    await agent.waitForLog('producer connected');
  }, 120_000);
  afterAll(async () => {
    if (agent) await agent.stop();
  });

  it('a chunk-16 payload inflating to ~60 KB refused by the broker (max.message.bytes 10000), then 1,000 valid packets: all 1,000 published within seconds, RSS bounded, graceful stop', async () => {
    // The agent read the topic's 1 MiB limit at start; the broker now refuses anything above 10000 bytes.
    await setMaxMessageBytes(topic, 10_000);
    const reader = await readRecords(topic);
    const udp = await udpClient(port);
    try {
      const rss0 = rssBytes(agent.child.pid!);
      const bomb = encodeHep3({
        srcIp: '198.51.100.1',
        dstIp: '198.51.100.2',
        srcPort: 5060,
        dstPort: 5060,
        tsSec: Math.floor(Date.now() / 1000),
        tsUsec: 0,
        payload: sipMessage({ callId: 'bomb@refusal', seq: 1, method: 'INVITE', cseq: '1 INVITE', bodySize: 60_000 }),
        compress: true,
      });
      expect(bomb.length).toBeLessThan(8000);
      const t0 = Date.now();
      await udp.send(bomb);
      const run = uniqueName('ok');
      for (let i = 0; i < 1000; i++) {
        await udp.send(
          encodeHep3({
            srcIp: '198.51.100.1',
            dstIp: '198.51.100.2',
            srcPort: 5060,
            dstPort: 5060,
            tsSec: Math.floor(Date.now() / 1000),
            tsUsec: i,
            payload: sipMessage({ callId: `${run}-${i}@refusal`, seq: i, method: 'INVITE', cseq: `${i} INVITE`, bodySize: 200 }),
          }),
        );
        // Paced a little so the kernel's UDP buffer never overflows (loss there is not what is tested).
        if (i % 100 === 99) await sleep(5);
      }
      const ours = () => reader.records.filter((r) => r.callid.startsWith(run)).length;
      await waitFor('the 1,000 valid records in Kafka', () => (ours() >= 1000 ? true : undefined), 30_000, 50);
      const took = Date.now() - t0;
      await sleep(200);
      expect(ours()).toBe(1000);
      expect(reader.records.some((r) => r.callid === 'bomb@refusal')).toBe(false);
      expect(took).toBeLessThan(10_000);
      expect(await agent.metric('sipcap_kafka_dropped_total', '{reason="broker_too_large"}')).toBe(1);
      expect(await agent.metric('sipcap_kafka_queue_records')).toBe(0);
      expect(rssBytes(agent.child.pid!) - rss0).toBeLessThan(64 * 1024 * 1024);
      console.log(
        `hep-agent refusal: 1,000 records published ${took} ms after the bomb; RSS ${((rssBytes(agent.child.pid!) - rss0) / 1048576).toFixed(1)} MiB above the start`,
      );
    } finally {
      udp.close();
      await reader.stop();
    }
    const s0 = Date.now();
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - s0).toBeLessThan(15_000);
  }, 90_000);
});
