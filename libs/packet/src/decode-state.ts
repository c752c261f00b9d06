import { fail, type DecodeFailure } from './decode-failure';
import type { IpFamily, TunnelInfo, TunnelKind } from './decoded-packet';

/** Encapsulations followed before giving up: bounds the work a crafted frame (tunnel in tunnel ...) can cause. */
export const MAX_TUNNEL_DEPTH = 4;

/**
 * What the layers found so far while one frame is decoded: tags, tunnels and the current IP header.
 * The layer decoders fill it in as they go, so no layer allocates a result object of its own.
 */
export class DecodeState {
  vlans: number[] | undefined = undefined;
  /** Outermost tunnel, and the innermost one so far (where the next one is linked). */
  tunnel: TunnelInfo | undefined = undefined;
  private lastTunnel: TunnelInfo | undefined = undefined;
  depth = 0;
  family: IpFamily = 2;
  srcIp = '';
  dstIp = '';

  /** Back to a fresh state, so one instance can serve every decodeFrame call (decoding is synchronous). */
  reset(): this {
    this.vlans = undefined;
    this.tunnel = undefined;
    this.lastTunnel = undefined;
    this.depth = 0;
    this.family = 2;
    this.srcIp = '';
    this.dstIp = '';
    return this;
  }

  addVlan(id: number): void {
    if (this.vlans === undefined) this.vlans = [id];
    else this.vlans.push(id);
  }

  /** Records that the current IP header carries a tunnel; undefined when allowed, else the failure. */
  enterTunnel(kind: TunnelKind, id?: number): DecodeFailure | undefined {
    if (this.depth >= MAX_TUNNEL_DEPTH) {
      return fail('tunnel-too-deep', `more than ${MAX_TUNNEL_DEPTH} nested encapsulations`);
    }
    this.depth++;
    const info: TunnelInfo = { kind, family: this.family, srcIp: this.srcIp, dstIp: this.dstIp };
    if (id !== undefined) info.id = id;
    if (this.lastTunnel === undefined) this.tunnel = info;
    else this.lastTunnel.inner = info;
    this.lastTunnel = info;
    return undefined;
  }

  /** Restores the context saved with a fragment, to decode the reassembled datagram. */
  static resume(family: IpFamily, srcIp: string, dstIp: string, depth: number, vlans?: number[], tunnel?: TunnelInfo): DecodeState {
    const st = new DecodeState();
    st.family = family;
    st.srcIp = srcIp;
    st.dstIp = dstIp;
    st.depth = depth;
    st.vlans = vlans?.slice(); // the saved context stays as it was
    st.tunnel = tunnel;
    let last = tunnel;
    while (last?.inner !== undefined) last = last.inner;
    st.lastTunnel = last;
    return st;
  }
}
