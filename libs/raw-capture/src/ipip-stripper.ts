import { formatIpv4 } from '@sipcap/hep';
import { FragmentReassembler, type FragmentReassemblerOptions, type IpFragment } from '@sipcap/packet';
import { isIpv4Text } from './bpf-filter';
import { ipHeaderOffset } from './ip-header-offset';

/** Why a frame was not taken in IPIP mode (a Prometheus label). */
export const IPIP_REJECT_REASONS = ['not_ip', 'not_ipv4', 'not_ipip', 'other_address', 'truncated', 'bad_header', 'bad_inner'] as const;
export type IpipRejectReason = (typeof IPIP_REJECT_REASONS)[number];

export interface IpipCounters {
  /** Inner packets handed on (whole, or reassembled from outer fragments). */
  inner: number;
  /** Outer fragments taken in (reassembly counters are on `fragments`). */
  outerFragments: number;
  rejected: Record<IpipRejectReason, number>;
}

/**
 * IPIP mode's gate (RAW_IPIP_CAPTURE_ON): keeps IPv4 packets of protocol 4 addressed to the agent's
 * address and strips the outer header (options included), giving the inner IP packet. It checks in
 * user space what the BPF filter checks in the kernel, so a missing or looser filter changes nothing.
 * Outer fragments (a full-size packet copied into a tunnel no longer fits the MTU) are reassembled here,
 * before any routing to workers, because only the first one shows the inner addresses.
 */
export class IpipStripper {
  readonly counters: IpipCounters = {
    inner: 0,
    outerFragments: 0,
    rejected: Object.fromEntries(IPIP_REJECT_REASONS.map((r) => [r, 0])) as Record<IpipRejectReason, number>,
  };
  readonly fragments: FragmentReassembler;
  private readonly listen: number;
  private lastTs = 0;
  private lastWallMs = 0;

  constructor(listenIpv4: string, fragments?: FragmentReassemblerOptions) {
    if (!isIpv4Text(listenIpv4)) throw new Error(`IPIP mode needs an IPv4 address, not ${listenIpv4}`);
    this.listen = listenIpv4.split('.').reduce((a, p) => a * 256 + Number(p), 0);
    this.fragments = new FragmentReassembler(fragments);
  }

  /**
   * The inner IP packet of a frame (a raw IP packet: link type RAW), or undefined when the frame is not
   * for us or is an outer fragment that did not complete a packet. The result is a view into `frame`
   * unless it was reassembled.
   */
  strip(linktype: number, frame: Buffer, tsMicros: number): Buffer | undefined {
    const off = ipHeaderOffset(linktype, frame);
    if (off < 0) return this.reject('not_ip');
    if (frame[off] >> 4 !== 4) return this.reject('not_ipv4');
    const ihl = (frame[off] & 0x0f) * 4;
    if (ihl < 20) return this.reject('bad_header');
    if (off + ihl > frame.length) return this.reject('truncated');
    if (frame[off + 9] !== 4) return this.reject('not_ipip');
    if (frame.readUInt32BE(off + 16) !== this.listen) return this.reject('other_address');
    const total = frame.readUInt16BE(off + 2);
    if (total < ihl) return this.reject('bad_header');
    if (off + total > frame.length) return this.reject('truncated');
    const data = frame.subarray(off + ihl, off + total);
    const flags = frame.readUInt16BE(off + 6);
    const more = (flags & 0x2000) !== 0;
    const offset = (flags & 0x1fff) * 8;
    if (!more && offset === 0) return this.inner(data);
    this.counters.outerFragments++;
    this.lastTs = tsMicros;
    this.lastWallMs = Date.now();
    const fragment: IpFragment = {
      family: 2,
      srcIp: formatIpv4(frame, off + 12),
      dstIp: formatIpv4(frame, off + 16),
      id: frame.readUInt16BE(off + 4),
      ipProto: 4,
      offset,
      more,
      data,
      depth: 0,
    };
    const whole = this.fragments.push(fragment, BigInt(tsMicros));
    return whole === undefined ? undefined : this.inner(whole.payload);
  }

  /** Drops outer fragments that waited too long, on a timer (capture clock, as RawDecoder.expire). */
  expire(): void {
    if (this.lastWallMs === 0) return;
    this.fragments.expire(BigInt(this.lastTs + (Date.now() - this.lastWallMs) * 1000));
  }

  /** Protocol 4 carries IPv4: anything else inside is a malformed packet, not a capture. */
  private inner(packet: Buffer): Buffer | undefined {
    if (packet.length < 20 || packet[0] >> 4 !== 4) return this.reject('bad_inner');
    this.counters.inner++;
    return packet;
  }

  private reject(reason: IpipRejectReason): undefined {
    this.counters.rejected[reason]++;
    return undefined;
  }
}
