import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testing } from '@sipcap/packet';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { MirrorLab } from './support/netns';
import { sipMessage } from './support/sip-calls';

/**
 * ipip-agent on a real interface: host A sends IP-in-IP copies of SIP packets to host B (kernel-built
 * outer headers, fragmented by the kernel when too large), B's interface is mirrored to the root
 * namespace, and the agent, listening for B's address, captures there.
 */
const lab = new MirrorLab();
let agent: AgentProcess | undefined;

describe('ipip-agent live capture', () => {
  beforeAll(async () => {
    buildApp('ipip-agent');
    await lab.create();
  });
  afterAll(async () => {
    await agent?.stop();
    await lab.destroy();
  });

  it('captures the inner SIP packets of IPIP traffic to its address, with the inner addresses', async () => {
    const topic = await freshTopic(3, 'raw-ipip');
    agent = startAgent('ipip-agent', {
      RAW_IPIP_CAPTURE_ON: '1',
      RAW_INTERFACE: lab.captureIface,
      RAW_SOCKET_LISTEN: `${lab.ipB}:5060-5065`,
      // Outer fragments are reassembled in the main thread, the inner packets decoded by workers.
      RAW_SOCK_CHILDREN: '2',
      KAFKA_TOPIC: topic,
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('raw-ipip-flag'),
    });
    await agent.waitForLog('ipip-agent ready');
    expect(agent.output()).toContain(`ip proto 4 and dst host ${lab.ipB}`);
    const reader = await readRecords(topic);
    try {
      const inner = (callId: string, o: { bodySize?: number; port?: number } = {}) => {
        const payload = sipMessage({ callId, seq: 1, method: 'INVITE', cseq: '1 INVITE', bodySize: o.bodySize });
        return {
          payload,
          packet: testing.udpPacket({ src: '10.204.0.1', dst: '10.204.0.2', srcPort: o.port ?? 5062, dstPort: o.port ?? 5060, payload }),
        };
      };
      const small = inner('ipip-small@test');
      const big = inner('ipip-big@test', { bodySize: 3000 });
      const otherPort = inner('ipip-other-port@test', { port: 5070 });
      const notOurs = inner('ipip-not-ours@test');
      // A -> B: for the agent (the big one is fragmented by the kernel: outer fragments), one of them
      // with inner ports outside RAW_SOCKET_LISTEN's range.
      await lab.rawSend(lab.nsA, 'ipip', lab.ipB, [small.packet, big.packet, otherPort.packet]);
      // B -> A: IPIP to another address, on the same wire.
      await lab.rawSend(lab.nsB, 'ipip', lab.ipA, [notOurs.packet]);

      await waitFor('2 records', () => (reader.records.length >= 2 ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      const byCall = new Map(reader.records.map((r) => [r.callid, r]));
      expect([...byCall.keys()].sort()).toEqual(['ipip-big@test', 'ipip-small@test']);
      expect(reader.records).toHaveLength(2);
      for (const [callId, sent] of [
        ['ipip-small@test', small],
        ['ipip-big@test', big],
      ] as const) {
        const r = byCall.get(callId)!;
        expect({
          src: r.source_ip,
          srcPort: r.source_port,
          dst: r.destination_ip,
          dstPort: r.destination_port,
          proto: r.proto,
          family: r.family,
        }).toEqual({ src: '10.204.0.1', srcPort: 5062, dst: '10.204.0.2', dstPort: 5060, proto: 1, family: 2 });
        expect(Buffer.from(r.msg).equals(sent.payload)).toBe(true);
      }
      // The big copy came in outer fragments, reassembled before decoding.
      expect(await agent.metric('sipcap_raw_ipip_outer_fragments_total', '{event="reassembled"}')).toBeGreaterThanOrEqual(1);
      expect(await agent.metric('sipcap_raw_port_filtered_total')).toBeGreaterThanOrEqual(1);
    } finally {
      await reader.stop();
      expect((await agent.stop()).code).toBe(0);
      agent = undefined;
    }
  });
});
