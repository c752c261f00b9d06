import { describe, expect, it } from 'vitest';
import { LinkType, testing } from '@sipcap/packet';
import { ipPairHash } from './flow-hash';
import type { FramePipeline } from './frame-pipeline';
import { FrameIntake } from './frame-intake';
import { IpipStripper } from './ipip-stripper';

class Recorder implements FramePipeline {
  readonly pushed: { linktype: number; frame: Buffer; ts: number; hash: number }[] = [];
  constructor(readonly wantsHash: boolean) {}
  push(linktype: number, frame: Buffer, ts: number, hash: number): void {
    this.pushed.push({ linktype, frame: Buffer.from(frame), ts, hash });
  }
  room(): undefined {
    return undefined;
  }
  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}

const inner = testing.udpPacket({ src: '10.1.0.1', dst: '10.1.0.2', srcPort: 5060, dstPort: 5060, payload: testing.sipRequest() });

describe('FrameIntake', () => {
  it('passes mirror frames on unchanged, hashed by their IP pair when workers want it', () => {
    const p = new Recorder(true);
    const intake = new FrameIntake(p);
    const frame = testing.ethernetFrame({ payload: inner, vlans: [5] });
    intake.handle(LinkType.ETHERNET, frame, 42);
    expect(p.pushed).toEqual([{ linktype: LinkType.ETHERNET, frame, ts: 42, hash: ipPairHash(inner, 0) }]);
    expect(intake.frames).toBe(1);
  });

  it('does not hash for the inline pipeline', () => {
    const p = new Recorder(false);
    new FrameIntake(p).handle(LinkType.RAW, inner, 1);
    expect(p.pushed[0].hash).toBe(0);
  });

  it('in IPIP mode hands on the inner packet as raw IP, hashed by the inner pair, and drops the rest', () => {
    const p = new Recorder(true);
    const intake = new FrameIntake(p, new IpipStripper('192.0.2.100'));
    const tunnelled = testing.ethernetFrame({
      payload: testing.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.100', protocol: 4, payload: inner }),
    });
    intake.handle(LinkType.ETHERNET, tunnelled, 7);
    intake.handle(LinkType.ETHERNET, testing.ethernetFrame({ payload: inner }), 8);
    expect(p.pushed).toEqual([{ linktype: LinkType.RAW, frame: inner, ts: 7, hash: ipPairHash(inner, 0) }]);
    expect(intake.frames).toBe(2);
  });
});
