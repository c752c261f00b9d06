import type { PortRange } from '@sipcap/packet';

/**
 * pcap-filter expressions for the raw modes, compiled into the kernel by libpcap so that unwanted
 * packets never reach the agent.
 *
 * Fragments: `udp port N` only matches an unfragmented packet or the first fragment (later ones carry no
 * transport header), so the mirror filter also lets every non-first IPv4 fragment and every IPv6
 * fragment through; the agent reassembles them and applies the port filter to the whole datagram.
 *
 * VLANs: each `vlan` keyword moves the offsets of everything after it, so the tagged variants are nested
 * (`F or (vlan and (F or (vlan and F)))`: untagged, one tag, two tags). On Linux a tag the kernel took
 * off into the packet's metadata is seen untagged by the first `F`, an in-band tag by the `vlan` arms.
 */
export function withVlanVariants(expr: string): string {
  return `(${expr}) or (vlan and ((${expr}) or (vlan and (${expr}))))`;
}

/** The port part: `port N` or `portrange A-B`. */
function ports(range: PortRange): string {
  return range.from === range.to ? `port ${range.from}` : `portrange ${range.from}-${range.to}`;
}

/**
 * Mirror mode (RAW_MONI_BPF_ON=1): UDP or TCP with a source or destination port in the range, UDP with a
 * port in the RTCP range (RTCP_PORT_RANGE) when given, and fragments.
 */
export function mirrorFilter(range: PortRange, rtcp?: PortRange): string {
  const media = rtcp ? ` or (udp and ${ports(rtcp)})` : '';
  const base = `((udp or tcp) and ${ports(range)})${media} or (ip and ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)`;
  return withVlanVariants(base);
}

/** IPIP mode: IPv4 packets of protocol 4 addressed to the agent's address (fragments included: each carries the protocol). */
export function ipipFilter(ipv4: string): string {
  if (!isIpv4Text(ipv4)) throw new Error(`not an IPv4 address: ${ipv4}`);
  return withVlanVariants(`ip proto 4 and dst host ${ipv4}`);
}

/** Dotted quad, each part 0-255 (what `dst host` accepts without a name lookup). */
export function isIpv4Text(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return false;
    }
    if (Number(p) > 255) return false;
  }
  return true;
}
