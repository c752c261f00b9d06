import { fail } from './decode-failure';
import type { FrameResult, IpFragment } from './decoded-packet';
import { DecodeState } from './decode-state';
import { decodeEthernet } from './ethernet';
import { decodeIpPayload } from './ip-payload';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6, decodeIpv6Chain } from './ipv6';
import { LinkType } from './linktype';
import { decodeLinuxSll, decodeLinuxSll2 } from './linux-sll';
import { decodeLoop, decodeNull } from './null-loopback';
import { decodeRawIp } from './raw-ip';

/** Reused by every call: the state never outlives a call (results keep only its values, never the object). */
const shared = new DecodeState();

/**
 * Decodes one captured frame of the given pcap link type down to its innermost IP packet and transport
 * header. Pure: no copy of the frame (the payload is a view into it), never throws on bad input.
 */
export function decodeFrame(linktype: number, frame: Buffer): FrameResult {
  const st = shared.reset();
  const end = frame.length;
  switch (linktype) {
    case LinkType.ETHERNET:
      return decodeEthernet(st, frame, 0, end);
    case LinkType.LINUX_SLL:
      return decodeLinuxSll(st, frame, 0, end);
    case LinkType.LINUX_SLL2:
      return decodeLinuxSll2(st, frame, 0, end);
    case LinkType.RAW:
    case LinkType.RAW_12:
    case LinkType.RAW_14:
      return decodeRawIp(st, frame, 0, end);
    case LinkType.IPV4:
      return decodeIpv4(st, frame, 0, end);
    case LinkType.IPV6:
      return decodeIpv6(st, frame, 0, end);
    case LinkType.NULL:
      return decodeNull(st, frame, 0, end);
    case LinkType.LOOP:
      return decodeLoop(st, frame, 0, end);
    default:
      return fail('unsupported-linktype', `link type ${linktype}`);
  }
}

/**
 * Continues decoding a reassembled datagram: `payload` is the whole IP payload of the datagram that
 * `fragment` (any of its fragments) belonged to. Tunnels inside it are followed as in decodeFrame.
 */
export function decodeReassembled(fragment: IpFragment, payload: Buffer): FrameResult {
  const st = DecodeState.resume(fragment.family, fragment.srcIp, fragment.dstIp, fragment.depth, fragment.vlans, fragment.tunnel);
  if (fragment.family === 10) return decodeIpv6Chain(st, fragment.ipProto, payload, 0, payload.length, false);
  return decodeIpPayload(st, fragment.ipProto, payload, 0, payload.length);
}
