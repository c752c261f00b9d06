/**
 * SIP messages of whole calls for the raw capture tests. Every message carries `X-Seq: <n>`, unique in
 * the test, which the agents copy into custom_field1 (CUSTOM_FIELD1_HEADER=X-Seq) so each record can be
 * matched to exactly one sent message.
 */
export interface SipMessageSpec {
  callId: string;
  seq: number;
  /** A request method, or a reply status. */
  method?: string;
  status?: number;
  cseq: string;
  /** Bytes of SDP-like body (for large, fragmented messages). */
  bodySize?: number;
  transport?: 'UDP' | 'TCP';
}

export function sipMessage(s: SipMessageSpec): Buffer {
  const body = s.bodySize ? padBody(s.bodySize) : '';
  const start =
    s.status !== undefined
      ? `SIP/2.0 ${s.status} ${s.status === 200 ? 'OK' : s.status === 100 ? 'Trying' : 'Ringing'}`
      : `${s.method} sip:bob@example.com SIP/2.0`;
  const lines = [
    start,
    `Via: SIP/2.0/${s.transport ?? 'UDP'} 192.0.2.10:5060;branch=z9hG4bK-${s.callId}-${s.seq}`,
    'From: "Alice" <sip:alice@example.org>;tag=a1',
    `To: <sip:bob@example.com>${s.status !== undefined ? ';tag=b2' : ''}`,
    `Call-ID: ${s.callId}`,
    `CSeq: ${s.cseq}`,
    'Contact: <sip:alice@192.0.2.10:5060>',
    `X-Seq: ${s.seq}`,
  ];
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function padBody(size: number): string {
  let sdp = 'v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';
  for (let i = 0; sdp.length < size; i++) sdp += `a=x-pad${i}:${'p'.repeat(40)}\r\n`;
  return sdp.slice(0, size);
}

/** A call's messages in order: `fromCaller` says which side sends each one. */
export function callFlow(
  callId: string,
  firstSeq: number,
  transport: 'UDP' | 'TCP' = 'UDP',
): { fromCaller: boolean; spec: SipMessageSpec }[] {
  const m = (fromCaller: boolean, i: number, rest: Partial<SipMessageSpec>) => ({
    fromCaller,
    spec: { callId, seq: firstSeq + i, transport, cseq: '1 INVITE', ...rest },
  });
  return [
    m(true, 0, { method: 'INVITE', bodySize: 300 }),
    m(false, 1, { status: 100 }),
    m(false, 2, { status: 180 }),
    m(false, 3, { status: 200, bodySize: 250 }),
    m(true, 4, { method: 'ACK', cseq: '1 ACK' }),
    m(true, 5, { method: 'BYE', cseq: '2 BYE' }),
    m(false, 6, { status: 200, cseq: '2 BYE' }),
  ];
}
