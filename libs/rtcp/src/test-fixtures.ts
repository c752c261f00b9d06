/**
 * Compound RTCP packets for the tests, written out byte by byte from RFC 3550 / RFC 3611 as common
 * senders build them (SR + SDES CNAME from a softphone, RR + SDES + BYE at hang-up, RR + XR VoIP metrics,
 * APP, padding), and compounds captured from a real RTP stack (GStreamer 1.22 rtpbin, sender and receiver
 * on 127.0.0.1, captured with tcpdump). The tests check the decoder against tshark's reading of these bytes.
 */
const hex = (s: string) => Buffer.from(s.replace(/\s+|#[^\n]*/g, ''), 'hex');

export const RTCP_FIXTURES = {
  srSdes: hex(`
    81 c8 00 0c  5e 1a 2b 3c   # SR, RC 1, 52 bytes, SSRC
    e8 a1 b2 c3  4d 5e 6f 70   # NTP
    00 01 e2 40  00 00 01 f4  00 01 38 80   # RTP ts 123456, 500 packets, 80000 octets
    11 22 33 44  1a 00 00 2a  00 01 03 e8  00 00 00 7b  a1 b2 c3 d4  00 01 80 00   # report block
    81 ca 00 06  5e 1a 2b 3c  01 10 ${Buffer.from('alice@192.0.2.10').toString('hex')} 00 00   # SDES CNAME
  `),
  rrSdesBye: hex(`
    82 c9 00 0d  0a 0b 0c 0d   # RR, RC 2
    01 02 03 04  ff ff ff ff  00 00 ff ff  00 00 04 00  00 00 00 00  00 00 00 00   # cum lost -1
    05 06 07 08  80 00 10 00  00 02 00 10  00 00 00 01  12 34 56 78  00 00 00 10
    81 ca 00 06  0a 0b 0c 0d  01 08 ${Buffer.from('bob@host').toString('hex')} 06 07 ${Buffer.from('sipcap1').toString('hex')} 00   # SDES CNAME + TOOL
    81 cb 00 04  0a 0b 0c 0d  0a ${Buffer.from('call ended').toString('hex')} 00   # BYE with reason
  `),
  rrXr: hex(`
    80 c9 00 01  11 11 11 11   # RR, no blocks
    80 cf 00 0a  11 11 11 11   # XR
    07 00 00 08  22 22 22 22  0c 03 40 02  00 78 13 88  00 32 00 64  ee b5 7f 10  5d 7f 2a 29  00 00 00 28  00 50 00 c8
  `),
  rrApp: hex(`
    80 c9 00 01  33 33 33 33
    82 cc 00 03  33 33 33 33  ${Buffer.from('QOSM').toString('hex')}  01 02 03 04   # APP subtype 2
  `),
  /** GStreamer receiver: RR (one block, cumulative lost -1 as the stack wrote it) + SDES CNAME and TOOL. */
  gstreamerRr: hex(
    '81c90007f660ec000186466000ffffff00002e6a00000000f448aa5d00000b0581ca000cf660ec00011c757365723331383135393331373440686f73742d316133366161626306094753747265616d6572000000',
  ),
  /** GStreamer sender: SR without blocks + SDES. */
  gstreamerSr: hex(
    '80c8000601864660eebaf44c31b75a7476e063fb0000002c0000b00081ca000c01864660011c757365723235353637383436303740686f73742d393731373636663406094753747265616d6572000000',
  ),
  /** GStreamer sender at end of stream: SR + SDES + BYE. */
  gstreamerSrBye: hex(
    '80c8000601864660eebaf452d5758e2176e133770000005e0001780081ca000c01864660011c757365723235353637383436303740686f73742d393731373636663406094753747265616d657200000081cb000101864660',
  ),
  padded: hex(`
    a0 c9 00 02  44 44 44 44  00 00 00 04   # RR with 4 bytes of padding
  `),
};
