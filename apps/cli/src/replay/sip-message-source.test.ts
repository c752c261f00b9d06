import { describe, expect, it } from 'vitest';
import { TcpFlag, testing, writePcap } from '@sipcap/packet';
import { emptyCounts, sipMessages, type ReplayMessage } from './sip-message-source';

const { buildEthernetIpv4Udp, buildEthernetIpv6Udp, buildEthernetTcp, sipRequest, sipReply } = testing;

async function* chunks(file: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < file.length; i += size) yield file.subarray(i, i + size);
}

async function collect(file: Buffer, chunkSize = 1 << 20) {
  const counts = emptyCounts();
  const gen = sipMessages(chunks(file, chunkSize), counts);
  const out: ReplayMessage[] = [];
  for (;;) {
    const n = await gen.next();
    if (n.done) return { out, counts, status: n.value };
    out.push(n.value);
  }
}

describe('sipMessages', () => {
  const invite = sipRequest({ callId: 'udp-1' });
  const reply = sipReply({ callId: 'v6-1' });
  const tcpMsg = sipRequest({ callId: 'tcp-1', body: 'v=0\r\n' });
  const half = 30;
  const file = writePcap([
    {
      tsMicros: 1_000_000n,
      frame: buildEthernetIpv4Udp({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, dstPort: 5070, payload: invite }),
    },
    {
      tsMicros: 1_000_100n,
      frame: buildEthernetIpv4Udp({
        srcIp: '10.0.0.1',
        dstIp: '10.0.0.53',
        srcPort: 40000,
        dstPort: 53,
        payload: Buffer.from([1, 2, 3, 4, 5]),
      }),
    },
    {
      tsMicros: 1_000_200n,
      frame: buildEthernetIpv4Udp({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, dstPort: 5070, payload: Buffer.from('\r\n\r\n') }),
    },
    {
      tsMicros: 2_000_000n,
      frame: buildEthernetIpv6Udp({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 5062, dstPort: 5063, payload: reply }),
    },
    {
      tsMicros: 3_000_000n,
      frame: buildEthernetTcp({ srcIp: '10.0.0.3', dstIp: '10.0.0.4', srcPort: 40001, dstPort: 5060, seq: 100, flags: TcpFlag.SYN }),
    },
    {
      tsMicros: 3_000_100n,
      frame: buildEthernetTcp({
        srcIp: '10.0.0.3',
        dstIp: '10.0.0.4',
        srcPort: 40001,
        dstPort: 5060,
        seq: 101,
        payload: tcpMsg.subarray(0, half),
      }),
    },
    {
      tsMicros: 3_000_200n,
      frame: buildEthernetTcp({
        srcIp: '10.0.0.3',
        dstIp: '10.0.0.4',
        srcPort: 40001,
        dstPort: 5060,
        seq: 101 + half,
        payload: tcpMsg.subarray(half),
      }),
    },
    { tsMicros: 4_000_000n, frame: Buffer.from([1, 2, 3]) },
  ]);

  it('yields UDP, IPv6 and reassembled TCP messages with their addresses, transport and time', async () => {
    const { out, status } = await collect(file);
    expect(status.ok).toBe(true);
    expect(out.map((m) => m.payload.toString())).toEqual([invite.toString(), reply.toString(), tcpMsg.toString()]);
    expect(out[0]).toMatchObject({
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 5060,
      dstPort: 5070,
      family: 2,
      ipProto: 17,
      tsMicros: 1_000_000n,
    });
    expect(out[1]).toMatchObject({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', family: 10, ipProto: 17 });
    expect(out[2]).toMatchObject({ srcIp: '10.0.0.3', dstPort: 5060, ipProto: 6, tsMicros: 3_000_200n });
  });

  it('counts what is not SIP', async () => {
    const { counts } = await collect(file);
    expect(counts).toMatchObject({ frames: 8, messages: 3, notSip: 1, keepalives: 1, undecoded: 1 });
  });

  it('reads the same from small stream chunks', async () => {
    const whole = await collect(file);
    const small = await collect(file, 7);
    expect(small.out.map((m) => m.payload.toString())).toEqual(whole.out.map((m) => m.payload.toString()));
  });

  it('reads pcapng (Linux cooked capture) too, and estimates the file position for the progress bar', async () => {
    const invite2 = sipRequest({ callId: 'ng-1' });
    const frame = testing.sllFrame(testing.udpPacket({ src: '10.1.0.1', dst: '10.1.0.2', srcPort: 5060, dstPort: 5060, payload: invite2 }));
    const ng = testing.buildPcapng({ interfaces: [{ linktype: 113 }], packets: [{ ts: 5_000_000n, frame }] });
    const { out, counts } = await collect(ng);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ srcIp: '10.1.0.1', tsMicros: 5_000_000n, ipProto: 17 });
    expect(out[0].payload.toString()).toBe(invite2.toString());
    expect(counts.position).toBeGreaterThan(frame.length);
    expect(counts.position).toBeLessThanOrEqual(ng.length);
    const classic = await collect(file);
    expect(classic.counts.position).toBe(file.length - 24); // every record: 16 bytes + the frame
  });

  it('ends with the reader status for a file that is not a capture', async () => {
    const { out, status } = await collect(Buffer.from('this is not a pcap file'));
    expect(out).toEqual([]);
    expect(status).toMatchObject({ ok: false, reason: 'bad-magic' });
  });
});
