export interface SipRequestOptions {
  method?: string;
  callId?: string;
  body?: string;
  /** Writes the compact `l:` form of Content-Length. */
  compactLength?: boolean;
  /** Leaves Content-Length out. */
  noLength?: boolean;
  cseq?: number;
}

/** A small but complete SIP request, with Content-Length matching its body. */
export function sipRequest(o: SipRequestOptions = {}): Buffer {
  const method = o.method ?? 'INVITE';
  const body = o.body ?? '';
  const lines = [
    `${method} sip:bob@example.com SIP/2.0`,
    'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@example.com>',
    'From: Alice <sip:alice@example.org>;tag=1928301774',
    `Call-ID: ${o.callId ?? 'a84b4c76e66710@pc33.example.org'}`,
    `CSeq: ${o.cseq ?? 314159} ${method}`,
    'Contact: <sip:alice@192.0.2.10>',
  ];
  if (body.length > 0) lines.push('Content-Type: application/sdp');
  if (!o.noLength) lines.push(`${o.compactLength ? 'l' : 'Content-Length'}: ${Buffer.byteLength(body)}`);
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

/** A SIP reply with an optional body. */
export function sipReply(o: { status?: number; reason?: string; callId?: string; body?: string } = {}): Buffer {
  const body = o.body ?? '';
  const lines = [
    `SIP/2.0 ${o.status ?? 200} ${o.reason ?? 'OK'}`,
    'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds',
    'To: Bob <sip:bob@example.com>;tag=a6c85cf',
    'From: Alice <sip:alice@example.org>;tag=1928301774',
    `Call-ID: ${o.callId ?? 'a84b4c76e66710@pc33.example.org'}`,
    'CSeq: 314159 INVITE',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

/** An SDP body of roughly `size` bytes (padded with attribute lines). */
export function sdpBody(size = 300): string {
  let sdp =
    'v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\n';
  let i = 0;
  while (sdp.length < size) sdp += `a=x-pad${i++}:${'p'.repeat(20)}\r\n`;
  return sdp;
}
