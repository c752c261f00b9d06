import { describe, expect, it } from 'vitest';
import { LinkType } from '@sipcap/packet';
import { DECODABLE_LINKTYPES, linktypeFromPcapName } from './linktype-name';

describe('linktypeFromPcapName', () => {
  it('maps node_pcap names and numbered unknowns', () => {
    expect(linktypeFromPcapName('LINKTYPE_ETHERNET')).toBe(LinkType.ETHERNET);
    expect(linktypeFromPcapName('LINKTYPE_RAW')).toBe(LinkType.RAW);
    expect(linktypeFromPcapName('LINKTYPE_LINUX_SLL')).toBe(LinkType.LINUX_SLL);
    expect(linktypeFromPcapName('Unknown linktype 276')).toBe(276);
    expect(linktypeFromPcapName('something else')).toBeUndefined();
  });

  it('knows which link types the decoder reads', () => {
    expect(DECODABLE_LINKTYPES.has(276)).toBe(true);
    expect(DECODABLE_LINKTYPES.has(127)).toBe(false);
  });
});
