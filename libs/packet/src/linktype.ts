/** pcap link-layer header types (https://www.tcpdump.org/linktypes.html) that the decoder understands. */
export const LinkType = {
  /** BSD loopback: 4-byte address family in the capturing host's byte order. */
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as some platforms number it in pcap files. */
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  /** OpenBSD loopback: 4-byte address family in network byte order. */
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** BSD address-family values for IPv6 in the NULL/LOOP header (NetBSD/OpenBSD, FreeBSD, Darwin). */
export const BSD_AF_INET = 2;
export const BSD_AF_INET6 = [24, 28, 30] as const;
