import { describe, expect, it } from 'vitest';
import { testing } from '@sipcap/packet';
import { MAX_SDP_STREAMS, sdpMedia } from './sdp-media';

const sdp = (...lines: string[]) => ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', ...lines, ''].join('\r\n');

describe('sdpMedia', () => {
  it('takes the Call-ID and each stream: session c= address, m= port, RTCP on port + 1', () => {
    const invite = testing.sipRequest({
      callId: 'call-1@host',
      body: sdp('c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 49170 RTP/AVP 0 8', 'a=rtpmap:0 PCMU/8000', 'm=video 51372 RTP/AVP 99'),
    });
    expect(sdpMedia(invite)).toEqual({
      callId: 'call-1@host',
      media: [
        { ip: '192.0.2.10', rtpPort: 49170, rtcpPort: 49171 },
        { ip: '192.0.2.10', rtpPort: 51372, rtcpPort: 51373 },
      ],
    });
  });

  it('prefers a media-level c= and honours a=rtcp (RFC 3605) with and without an address', () => {
    const reply = testing.sipReply({
      callId: 'call-2',
      body: sdp(
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 0',
        'c=IN IP4 198.51.100.7',
        'a=rtcp:40009',
        'm=audio 40010 RTP/AVP 0',
        'a=rtcp:53020 IN IP4 203.0.113.5',
      ),
    });
    expect(sdpMedia(reply)?.media).toEqual([
      { ip: '198.51.100.7', rtpPort: 40000, rtcpPort: 40009 },
      { ip: '192.0.2.10', rtpPort: 40010, rtcpPort: 53020, rtcpIp: '203.0.113.5' },
    ]);
  });

  it('writes IPv6 addresses as the packet decoder does (RFC 5952) and reads the compact Call-ID header', () => {
    const msg = Buffer.from(
      [
        'INVITE sip:b@x SIP/2.0',
        'i: compact-id',
        'Content-Length: 99',
        '',
        sdp('c=IN IP6 2001:DB8:0:0:0:0:0:1', 'm=audio 5004 RTP/AVP 0'),
      ].join('\r\n'),
    );
    expect(sdpMedia(msg)).toEqual({ callId: 'compact-id', media: [{ ip: '2001:db8::1', rtpPort: 5004, rtcpPort: 5005 }] });
  });

  it('leaves out refused streams (port 0), held ones (0.0.0.0) and those without an address', () => {
    const body = sdp(
      't=0 0',
      'm=audio 0 RTP/AVP 0',
      'c=IN IP4 192.0.2.1',
      'm=audio 6000 RTP/AVP 0',
      'c=IN IP4 0.0.0.0',
      'm=audio 6002 RTP/AVP 0',
      'm=audio 6004 RTP/AVP 0',
      'c=IN IP4 192.0.2.4',
    );
    expect(sdpMedia(testing.sipRequest({ callId: 'c3', body }))?.media).toEqual([{ ip: '192.0.2.4', rtpPort: 6004, rtcpPort: 6005 }]);
  });

  it('returns undefined without SDP, without a Call-ID or without a usable stream', () => {
    expect(sdpMedia(testing.sipRequest({ callId: 'no-body' }))).toBeUndefined();
    expect(sdpMedia(testing.sipRequest({ callId: 'text', body: 'hello' }))).toBeUndefined();
    expect(
      sdpMedia(Buffer.from(`INVITE sip:b@x SIP/2.0\r\nFrom: <sip:a@x>\r\n\r\n${sdp('c=IN IP4 192.0.2.1', 'm=audio 6000 RTP/AVP 0')}`)),
    ).toBeUndefined();
    expect(sdpMedia(testing.sipRequest({ callId: 'none', body: sdp('c=IN IP4 192.0.2.1', 't=0 0') }))).toBeUndefined();
    expect(sdpMedia(Buffer.alloc(0))).toBeUndefined();
  });

  it(`takes at most ${MAX_SDP_STREAMS} streams of one SDP`, () => {
    const lines = ['c=IN IP4 192.0.2.1'];
    for (let i = 0; i < 1000; i++) lines.push(`m=audio ${10_000 + 2 * i} RTP/AVP 0`);
    expect(sdpMedia(testing.sipRequest({ callId: 'many', body: sdp(...lines) }))?.media).toHaveLength(MAX_SDP_STREAMS);
  });
});
