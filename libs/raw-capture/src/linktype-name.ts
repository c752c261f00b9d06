import { LinkType } from '@sipcap/packet';

/** node_pcap names a few link types; others come as `Unknown linktype <n>` (libpcap's DLT number). */
const NAMED: Record<string, number> = {
  LINKTYPE_NULL: LinkType.NULL,
  LINKTYPE_ETHERNET: LinkType.ETHERNET,
  LINKTYPE_IEEE802_11_RADIO: 127,
  LINKTYPE_RAW: LinkType.RAW,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
};

/** The numeric link type of a node_pcap session's `link_type` text, or undefined when unreadable. */
export function linktypeFromPcapName(name: string): number | undefined {
  const known = NAMED[name];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Link types libs/packet decodes. */
export const DECODABLE_LINKTYPES: ReadonlySet<number> = new Set(Object.values(LinkType));
