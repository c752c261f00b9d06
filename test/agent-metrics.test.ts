// What dashboards and `sipcap status` read from a fresh agent: the standard process metrics, the build
// info, every known drop reason at 0 before the first event, and a capture flip reported at once.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAgents } from '@sipcap/fleet';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { SERVERS } from './support/servers';

const REDIS_URL = `redis://${SERVERS.redis.host}:${SERVERS.redis.port}`;
let agent: AgentProcess | undefined;
let redis: Redis;
beforeAll(() => {
  buildApp('hep-agent');
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await agent?.stop();
  redis.disconnect();
});

describe('a fresh hep-agent', () => {
  it('exports standard names and zeroed known series, and reports a flag flip within a second', async () => {
    const key = uniqueName('metrics-flag');
    const node = uniqueName('metrics-node');
    const port = await freeTcpUdpPort();
    agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: await freshTopic(1, 'metrics'),
      KAFKA_PARTITIONS: '1',
      CAPTURE_FLAG_KEY: key,
      CAPTURE_NODE: node,
      REDIS_URL,
    });
    await agent.waitForLog('hep-agent ready', 60_000);
    expect(await agent.metric('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(await agent.metric('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(await agent.metric('sipcap_build_info')).toBe(1);
    for (const reason of ['capture_off', 'bad_sip'])
      expect(await agent.metric('sipcap_capture_dropped_total', `{reason="${reason}"}`)).toBe(0);
    expect(await agent.metric('sipcap_sip_bad_total', '{reason="bad_start_line"}')).toBe(0);

    const reported = async () => (await listAgents(redis)).find((a) => a.node === node)?.captureOn;
    await waitFor('the first report', async () => ((await reported()) === false ? true : undefined), 10_000, 100);
    await redis.set(key, 'on');
    const t0 = Date.now();
    await waitFor('the flip in the agent report', async () => ((await reported()) === true ? true : undefined), 10_000, 50);
    // Reports come every 5 s: a flip seen this fast was reported because of the flip.
    expect(Date.now() - t0).toBeLessThan(1500);
    await redis.del(key);
  });
});
