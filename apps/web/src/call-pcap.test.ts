import { describe, expect, it } from 'vitest';
import { decodeFrame, readCaptureFile, TcpFlag, type PcapRecord } from '@sipcap/packet';
import { callPcap, type PcapMessage } from './call-pcap';

const msg = (text: string) => Buffer.from(text);
const m = (over: Partial<PcapMessage>): PcapMessage => ({
  micro_ts: '1736935200123456',
  source_ip: '10.0.0.1',
  source_port: 5060,
  destination_ip: '10.0.0.2',
  destination_port: 5062,
  proto: 1,
  msg: msg('OPTIONS sip:x SIP/2.0\r\n\r\n'),
  ...over,
});

function read(file: Buffer): { linktype: number; records: PcapRecord[] } {
  const records: PcapRecord[] = [];
  const it = readCaptureFile(file);
  for (let r = it.next(); !r.done; r = it.next()) records.push(r.value);
  return { linktype: records[0]?.linktype ?? -1, records };
}

describe('callPcap', () => {
  it('rebuilds a UDP message as an Ethernet/IPv4/UDP frame at its capture time', () => {
    const { records } = read(callPcap([m({})]));
    expect(records).toHaveLength(1);
    expect(records[0].tsMicros).toBe(1736935200123456n);
    const d = decodeFrame(records[0].linktype, records[0].frame);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.packet).toMatchObject({ family: 2, srcIp: '10.0.0.1', dstIp: '10.0.0.2', ipProto: 17, srcPort: 5060, dstPort: 5062 });
    expect(d.packet.payload.toString()).toBe('OPTIONS sip:x SIP/2.0\r\n\r\n');
  });

  it('writes raw IP with IPv6 addresses when asked', () => {
    const { records } = read(callPcap([m({ source_ip: '2001:db8::1', destination_ip: '2001:db8::2' })], 'raw'));
    expect(records[0].linktype).toBe(101);
    const d = decodeFrame(101, records[0].frame);
    expect(d.ok && d.packet).toMatchObject({ family: 10, srcIp: '2001:db8::1', dstIp: '2001:db8::2', ipProto: 17 });
  });

  it('continues TCP sequence numbers per direction and acknowledges the other one', () => {
    const a = msg('INVITE sip:b SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    const b = msg('SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n');
    const c = msg('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    const fwd = { source_ip: '10.0.0.1', source_port: 40000, destination_ip: '10.0.0.2', destination_port: 5060, proto: 2 };
    const back = { source_ip: '10.0.0.2', source_port: 5060, destination_ip: '10.0.0.1', destination_port: 40000, proto: 2 };
    const { records } = read(
      callPcap([m({ ...fwd, msg: a }), m({ ...back, msg: b }), m({ ...back, msg: c }), m({ ...fwd, msg: a, proto: 3 })]),
    );
    const tcp = records.map((r) => {
      const d = decodeFrame(r.linktype, r.frame);
      if (!d.ok || !d.packet.tcp) throw new Error('not TCP');
      return { ...d.packet.tcp, len: d.packet.payload.length };
    });
    expect(tcp[0].flags).toBe(TcpFlag.ACK | TcpFlag.PSH);
    expect(tcp[2].seq).toBe(tcp[1].seq + b.length); // same direction: continues
    expect(tcp[3].seq).toBe(tcp[0].seq + a.length); // TLS is stored decrypted: the same TCP flow
    expect(tcp[1].ack).toBe(tcp[0].seq + a.length); // acknowledges what the other side sent
    expect(tcp[3].ack).toBe(tcp[2].seq + c.length);
  });

  it('writes a message whose stored addresses are not IP text with placeholder addresses', () => {
    const { records } = read(callPcap([m({ source_ip: '', destination_ip: 'nonsense' })]));
    const d = decodeFrame(records[0].linktype, records[0].frame);
    expect(d.ok && d.packet).toMatchObject({ srcIp: '0.0.0.0', dstIp: '0.0.0.0' });
  });
});
