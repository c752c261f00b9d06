import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testing } from '@sipcap/packet';
import type { CaptureRecord } from '@sipcap/record';
import { buildApp, readRecords, startAgent, type AgentProcess } from './support/agent-process';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { MirrorLab } from './support/netns';
import { sipMessage } from './support/sip-calls';

/**
 * mirror-agent on a real interface: two namespaces talk SIP over a veth pair, and B's interface is
 * mirrored (tc mirred) to an address-less interface in the root namespace, where the agent captures.
 */
const lab = new MirrorLab();
const b64 = (b: Buffer) => b.toString('base64');
let seq = 0;
const msg = (callId: string, o: { method?: string; status?: number; bodySize?: number; transport?: 'UDP' | 'TCP' } = {}) =>
  sipMessage({
    callId,
    seq: ++seq,
    cseq: o.status ? '1 INVITE' : `1 ${o.method ?? 'INVITE'}`,
    method: o.status ? undefined : (o.method ?? 'INVITE'),
    ...o,
  });

interface Expect {
  payload: Buffer;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  proto: number;
  family: number;
}

const agents: AgentProcess[] = [];
async function runAgent(iface: string, extra: Record<string, string>) {
  const topic = await freshTopic(3, 'raw-mirror');
  const agent = startAgent('mirror-agent', {
    RAW_MONI_CAPTURE_ON: '1',
    RAW_INTERFACE: iface,
    RAW_SOCKET_LISTEN: '0.0.0.0:5060-5065',
    PROMISCUOUS_ON: '1',
    KAFKA_TOPIC: topic,
    CAPTURE_ON: '1',
    CAPTURE_FLAG_KEY: uniqueName('raw-mirror-flag'),
    CUSTOM_FIELD1_HEADER: 'X-Seq',
    ...extra,
  });
  agents.push(agent);
  await agent.waitForLog('mirror-agent ready');
  const reader = await readRecords(topic);
  return { agent, reader };
}

/** Each expected message arrived once, with the packet's addresses, and nothing else arrived. */
async function expectExactly(reader: { records: CaptureRecord[] }, expected: Expect[]): Promise<void> {
  await waitFor(`${expected.length} records`, () => (reader.records.length >= expected.length ? true : undefined), 30_000);
  await new Promise((r) => setTimeout(r, 1000));
  const bySeq = new Map(reader.records.map((r) => [r.custom_field1, r]));
  expect(reader.records.length).toBe(expected.length);
  expect(bySeq.size).toBe(expected.length);
  for (const e of expected) {
    const seqText = /X-Seq: (\d+)/.exec(e.payload.toString())![1];
    const r = bySeq.get(seqText);
    expect(r, `message X-Seq ${seqText}`).toBeDefined();
    expect({
      src: r!.source_ip,
      srcPort: r!.source_port,
      dst: r!.destination_ip,
      dstPort: r!.destination_port,
      proto: r!.proto,
      family: r!.family,
    }).toEqual({ src: e.src, srcPort: e.srcPort, dst: e.dst, dstPort: e.dstPort, proto: e.proto, family: e.family });
    expect(Buffer.from(r!.msg).equals(e.payload), `payload of ${seqText}`).toBe(true);
    expect(r!.callid).toBe(/Call-ID: (\S+)/.exec(e.payload.toString())![1]);
    // The pcap time of a live packet: within the last minute.
    expect(Number(r!.micro_ts / 1000n)).toBeGreaterThan(Date.now() - 60_000);
  }
}

describe('mirror-agent live capture on a mirror port', () => {
  beforeAll(async () => {
    buildApp('mirror-agent');
    await lab.create();
    await lab.serve([5060, 5070]);
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await lab.destroy();
  });

  it('captures SIP over UDP (IPv4, IPv6, a fragmented 3000-byte message) and TCP (coalesced and split writes), both ways', async () => {
    const { agent, reader } = await runAgent(lab.captureIface, {});
    try {
      const invite = msg('udp-call@mirror');
      const ok = msg('udp-call@mirror', { status: 200 });
      const big = msg('big-call@mirror', { bodySize: 3000 });
      const v6 = msg('v6-call@mirror', { method: 'OPTIONS' });
      const t1 = msg('tcp-call@mirror', { transport: 'TCP' });
      const t2 = msg('tcp-call@mirror', { method: 'ACK', transport: 'TCP' });
      const t3 = msg('tcp-call@mirror', { method: 'BYE', transport: 'TCP', bodySize: 400 });
      const other = msg('other-port@mirror');
      await lab.send(lab.nsA, [
        { udp: { from: lab.ipA, fromPort: 5062, to: lab.ipB, port: 5060, data: b64(invite) } },
        { udp: { from: lab.ipA, fromPort: 5062, to: lab.ipB, port: 5060, data: b64(big) } },
        { udp: { from: lab.ip6A, fromPort: 5062, to: lab.ip6B, port: 5060, data: b64(v6) } },
        { udp: { from: lab.ipA, fromPort: 5090, to: lab.ipB, port: 5070, data: b64(other) } },
        {
          tcp: {
            from: lab.ipA,
            fromPort: 5064,
            to: lab.ipB,
            port: 5060,
            writes: [b64(Buffer.concat([t1, t2])), b64(t3.subarray(0, 200)), b64(t3.subarray(200))],
            gapMs: 100,
          },
        },
      ]);
      await lab.send(lab.nsB, [{ udp: { from: lab.ipB, fromPort: 5060, to: lab.ipA, port: 5062, data: b64(ok) } }]);
      const a = { src: lab.ipA, dst: lab.ipB, family: 2 };
      await expectExactly(reader, [
        { payload: invite, ...a, srcPort: 5062, dstPort: 5060, proto: 1 },
        { payload: big, ...a, srcPort: 5062, dstPort: 5060, proto: 1 },
        { payload: v6, src: lab.ip6A, dst: lab.ip6B, family: 10, srcPort: 5062, dstPort: 5060, proto: 1 },
        { payload: t1, ...a, srcPort: 5064, dstPort: 5060, proto: 2 },
        { payload: t2, ...a, srcPort: 5064, dstPort: 5060, proto: 2 },
        { payload: t3, ...a, srcPort: 5064, dstPort: 5060, proto: 2 },
        { payload: ok, src: lab.ipB, dst: lab.ipA, family: 2, srcPort: 5060, dstPort: 5062, proto: 1 },
      ]);
      // The fragments were reassembled, and the other port was seen and dropped by the agent itself.
      expect(await agent.metric('sipcap_raw_ip_fragments_total', '{event="reassembled"}')).toBeGreaterThanOrEqual(1);
      expect(await agent.metric('sipcap_raw_port_filtered_total')).toBeGreaterThan(0);
      expect(await agent.metric('sipcap_pcap_dropped_total')).toBe(0);
    } finally {
      await reader.stop();
      expect((await agent.stop()).code).toBe(0);
    }
  });

  it('with RAW_MONI_BPF_ON=1 the kernel keeps other ports away, fragments still pass', async () => {
    const { agent, reader } = await runAgent(lab.captureIface, { RAW_MONI_BPF_ON: '1' });
    try {
      const wanted = msg('bpf-call@mirror');
      const big = msg('bpf-big@mirror', { bodySize: 3000 });
      const steps = [];
      for (let i = 0; i < 20; i++)
        steps.push({ udp: { from: lab.ipA, fromPort: 5090, to: lab.ipB, port: 5070, data: b64(msg(`bpf-other-${i}@mirror`)) } });
      await lab.send(lab.nsA, [
        ...steps,
        { udp: { from: lab.ipA, fromPort: 5062, to: lab.ipB, port: 5060, data: b64(wanted) } },
        { udp: { from: lab.ipA, fromPort: 5062, to: lab.ipB, port: 5060, data: b64(big) } },
      ]);
      await expectExactly(reader, [
        { payload: wanted, src: lab.ipA, dst: lab.ipB, family: 2, srcPort: 5062, dstPort: 5060, proto: 1 },
        { payload: big, src: lab.ipA, dst: lab.ipB, family: 2, srcPort: 5062, dstPort: 5060, proto: 1 },
      ]);
      // Nothing reached the agent that its own port filter had to drop.
      expect(await agent.metric('sipcap_raw_port_filtered_total')).toBe(0);
      expect(agent.output()).toContain('portrange 5060-5065');
    } finally {
      await reader.stop();
      await agent.stop();
    }
  });

  for (const bpf of ['0', '1']) {
    it(`captures VLAN-tagged and QinQ frames on the parent interface (RAW_MONI_BPF_ON=${bpf})`, async () => {
      const { reader } = await runAgent(lab.injectCapture, { RAW_MONI_BPF_ON: bpf });
      try {
        const one = msg(`vlan-${bpf}@mirror`);
        const two = msg(`qinq-${bpf}@mirror`);
        const other = msg(`vlan-other-${bpf}@mirror`);
        const frame = (payload: Buffer, vlans: (number | { id: number; tpid: number })[], port = 5060) =>
          testing.ethernetFrame({
            payload: testing.udpPacket({
              src: '10.205.0.1',
              dst: '10.205.0.2',
              srcPort: port === 5060 ? 5061 : port,
              dstPort: port,
              payload,
            }),
            vlans,
            pad: true,
          });
        await lab.rawSend(lab.nsB, 'ether', lab.injectIface, [
          frame(one, [100]),
          frame(two, [{ id: 10, tpid: 0x88a8 }, 20]),
          frame(other, [100], 5070),
        ]);
        await expectExactly(reader, [
          { payload: one, src: '10.205.0.1', dst: '10.205.0.2', family: 2, srcPort: 5061, dstPort: 5060, proto: 1 },
          { payload: two, src: '10.205.0.1', dst: '10.205.0.2', family: 2, srcPort: 5061, dstPort: 5060, proto: 1 },
        ]);
      } finally {
        await reader.stop();
      }
    });
  }
});
