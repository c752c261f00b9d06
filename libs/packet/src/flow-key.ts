import type { TunnelInfo } from './decoded-packet';

/**
 * The part of a flow key beyond addresses and ports: VLAN ids and the tunnel path. Two copies of one
 * flow seen through different VLANs or tunnels (both directions of a mirror) are kept apart, as their
 * unfragmented packets are.
 */
export function pathKey(vlans: readonly number[] | undefined, tunnel: TunnelInfo | undefined): string {
  let key = '';
  if (vlans !== undefined) key += `|v${vlans.join('.')}`;
  for (let t = tunnel; t !== undefined; t = t.inner) key += `|${t.kind}:${t.srcIp}>${t.dstIp}:${t.id ?? ''}`;
  return key;
}
