import { testing } from '@sipcap/packet';
import { callFlow, sipMessage } from './sip-calls';

/** What a test expects of the record of one sent message. */
export interface ExpectedMessage {
  seq: number;
  callId: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  proto: 1 | 2;
  family: 2 | 10;
  /** Capture time of the frame that completed the message. */
  tsMicros: bigint;
  payload: Buffer;
}

export interface CaptureFrames {
  frames: { tsMicros: bigint; frame: Buffer }[];
  expected: ExpectedMessage[];
  /** Frames that must not produce records (other ports, non-IP). */
  noise: number;
}

export type CallKind = 'udp4' | 'udp6' | 'tcp4' | 'vlan-fragmented';
const KINDS: CallKind[] = ['udp4', 'udp6', 'tcp4', 'vlan-fragmented'];

interface Step {
  frames: Buffer[];
  messages: Omit<ExpectedMessage, 'tsMicros'>[];
}

/**
 * Ethernet frames of `calls` whole SIP calls, each on its own address pair, the kinds taking turns:
 * UDP over IPv4, UDP over IPv6, TCP over IPv4 (SYN, coalesced and split messages), and UDP over IPv4 in
 * a VLAN with an INVITE of ~3000 bytes sent as IP fragments (last fragment first). The calls' frames are
 * interleaved (one step of each call in turn), with noise: SIP on port 9999 and ARP.
 */
export function sipCaptureFrames(calls: number, o: { t0?: bigint; seq0?: number; kinds?: CallKind[] } = {}): CaptureFrames {
  const kinds = o.kinds ?? KINDS;
  const perCall: Step[][] = [];
  let seq = o.seq0 ?? 1;
  for (let i = 0; i < calls; i++) {
    const kind = kinds[i % kinds.length];
    perCall.push(callSteps(kind, i, `call-${i}-${kind}@raw.test`, seq));
    seq += 7;
  }
  const frames: CaptureFrames['frames'] = [];
  const expected: ExpectedMessage[] = [];
  let ts = o.t0 ?? 1_700_000_000_000_000n;
  let noise = 0;
  for (let step = 0; perCall.some((s) => s.length > step); step++) {
    for (const steps of perCall) {
      const s = steps[step];
      if (!s) continue;
      for (const f of s.frames) {
        ts += 100n;
        frames.push({ tsMicros: ts, frame: f });
      }
      for (const m of s.messages) expected.push({ ...m, tsMicros: ts });
    }
    // Noise: SIP on a port outside the range, and an ARP request.
    ts += 100n;
    frames.push({
      tsMicros: ts,
      frame: testing.buildEthernetIpv4Udp({
        srcIp: '10.99.0.1',
        dstIp: '10.99.0.2',
        srcPort: 9999,
        dstPort: 9999,
        payload: sipMessage({ callId: `noise-${step}`, seq: 0, method: 'OPTIONS', cseq: '1 OPTIONS' }),
      }),
    });
    ts += 100n;
    frames.push({ tsMicros: ts, frame: testing.ethernetFrame({ payload: Buffer.alloc(28, 1), etherType: 0x0806, pad: true }) });
    noise += 2;
  }
  return { frames, expected, noise };
}

function callSteps(kind: CallKind, i: number, callId: string, seq: number): Step[] {
  const v6 = kind === 'udp6';
  const caller = v6 ? `2001:db8:${(i + 1).toString(16)}::1` : `10.${10 + (i >> 8)}.${i & 255}.1`;
  const callee = v6 ? '2001:db8:ffff::1' : '10.20.0.1';
  const callerPort = 5062 + (i % 10);
  const calleePort = 5060;
  const flow = callFlow(callId, seq, kind === 'tcp4' ? 'TCP' : 'UDP');
  const msg = (k: number) => {
    const f = flow[k];
    const payload = sipMessage(kind === 'vlan-fragmented' && k === 0 ? { ...f.spec, bodySize: 3000 } : f.spec);
    return {
      payload,
      exp: {
        seq: f.spec.seq,
        callId,
        srcIp: f.fromCaller ? caller : callee,
        srcPort: f.fromCaller ? callerPort : calleePort,
        dstIp: f.fromCaller ? callee : caller,
        dstPort: f.fromCaller ? calleePort : callerPort,
        proto: kind === 'tcp4' ? (2 as const) : (1 as const),
        family: v6 ? (10 as const) : (2 as const),
        payload,
      },
    };
  };
  const udpFrame = (k: number) => {
    const { payload, exp } = msg(k);
    const o = { srcIp: exp.srcIp, dstIp: exp.dstIp, srcPort: exp.srcPort, dstPort: exp.dstPort, payload };
    if (v6) return { frames: [testing.buildEthernetIpv6Udp(o)], messages: [exp] };
    if (kind === 'vlan-fragmented') {
      const packet = testing.udpPacket({ src: o.srcIp, dst: o.dstIp, srcPort: o.srcPort, dstPort: o.dstPort, payload });
      const pieces = packet.length > 1500 ? testing.fragmentIpv4(packet, 1480).reverse() : [packet];
      return { frames: pieces.map((p) => testing.ethernetFrame({ payload: p, vlans: [100 + (i % 3)], pad: true })), messages: [exp] };
    }
    return { frames: [testing.buildEthernetIpv4Udp(o)], messages: [exp] };
  };
  if (kind !== 'tcp4') return flow.map((_, k) => udpFrame(k));

  // TCP: one stream per direction. Caller sends 0 (split in two), 4+5 (one segment); callee 1+2 (one
  // segment), 3 (split in two), 6.
  let callerSeq = 1000;
  let calleeSeq = 5000;
  const seg = (fromCaller: boolean, data: Buffer, flags = 0x18) => {
    const s = fromCaller ? callerSeq : calleeSeq;
    const frame = testing.buildEthernetTcp({
      srcIp: fromCaller ? caller : callee,
      dstIp: fromCaller ? callee : caller,
      srcPort: fromCaller ? callerPort : calleePort,
      dstPort: fromCaller ? calleePort : callerPort,
      seq: s,
      flags,
      payload: data,
    });
    const advance = data.length + (flags & 0x02 ? 1 : 0);
    if (fromCaller) callerSeq += advance;
    else calleeSeq += advance;
    return frame;
  };
  const m = flow.map((_, k) => msg(k));
  const half = (b: Buffer) => [b.subarray(0, b.length >> 1), b.subarray(b.length >> 1)];
  const [invite1, invite2] = half(m[0].payload);
  const [ok1, ok2] = half(m[3].payload);
  return [
    { frames: [seg(true, Buffer.alloc(0), 0x02), seg(false, Buffer.alloc(0), 0x12)], messages: [] },
    { frames: [seg(true, invite1)], messages: [] },
    { frames: [seg(true, invite2)], messages: [m[0].exp] },
    { frames: [seg(false, Buffer.concat([m[1].payload, m[2].payload]))], messages: [m[1].exp, m[2].exp] },
    { frames: [seg(false, ok1)], messages: [] },
    { frames: [seg(false, ok2)], messages: [m[3].exp] },
    { frames: [seg(true, Buffer.concat([m[4].payload, m[5].payload]))], messages: [m[4].exp, m[5].exp] },
    { frames: [seg(false, m[6].payload)], messages: [m[6].exp] },
  ];
}
