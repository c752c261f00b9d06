import type { DecodedPacket, FrameResult, IpFamily, IpFragment, TcpInfo, TunnelInfo } from './decoded-packet';
import type { DecodeState } from './decode-state';

const EMPTY = Buffer.alloc(0);

/**
 * A decoded packet. The payload is kept as a range of the frame and turned into a view only when read:
 * on a mirror port most packets (RTP) are decoded only to be dropped by the port filter.
 * Every field is set in the constructor so that all packets share one object shape.
 */
class Packet implements DecodedPacket {
  constructor(
    readonly family: IpFamily,
    readonly srcIp: string,
    readonly dstIp: string,
    readonly ipProto: number,
    readonly srcPort: number,
    readonly dstPort: number,
    private readonly source: Buffer,
    private readonly start: number,
    private readonly end: number,
    readonly vlans: number[] | undefined,
    readonly tunnel: TunnelInfo | undefined,
    readonly tcp: TcpInfo | undefined,
    readonly fragment: IpFragment | undefined,
  ) {}

  get payload(): Buffer {
    return this.source.subarray(this.start, this.end);
  }

  copyPayload(): Buffer {
    const copy = Buffer.allocUnsafe(this.end - this.start);
    this.source.copy(copy, 0, this.start, this.end);
    return copy;
  }
}

/** The successful end of a decode: the transport payload is source[start, end). */
export function packetResult(
  st: DecodeState,
  ipProto: number,
  srcPort: number,
  dstPort: number,
  source: Buffer,
  start: number,
  end: number,
  tcp: TcpInfo | undefined,
): FrameResult {
  const packet = new Packet(
    st.family,
    st.srcIp,
    st.dstIp,
    ipProto,
    srcPort,
    dstPort,
    source,
    start,
    end,
    st.vlans,
    st.tunnel,
    tcp,
    undefined,
  );
  return { ok: true, packet };
}

/** A fragment: no transport header yet, the context to resume after reassembly travels with it. */
export function fragmentResult(st: DecodeState, id: number, ipProto: number, offset: number, more: boolean, data: Buffer): FrameResult {
  const fragment: IpFragment = {
    family: st.family,
    srcIp: st.srcIp,
    dstIp: st.dstIp,
    id,
    ipProto,
    offset,
    more,
    data,
    vlans: st.vlans,
    tunnel: st.tunnel,
    depth: st.depth,
  };
  const packet = new Packet(st.family, st.srcIp, st.dstIp, ipProto, 0, 0, EMPTY, 0, 0, st.vlans, st.tunnel, undefined, fragment);
  return { ok: true, packet };
}
