// Realistic SIP for benchmarks: INVITE with SDP, 180/200 replies, BYE, REGISTER with digest; 400-1200 bytes
// each, every message with its own Call-ID, from a seeded generator (the same messages on every run).
let seed = 0x2545f491;
const rnd = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

/** `n` random hex digits from the seeded generator (crypto's randomBytes was a seventh of the fill time). */
function hex(n: number): string {
  let s = '';
  while (s.length < n) s += (rnd(0x1000000) | 0x1000000).toString(16).slice(1);
  return s.slice(0, n);
}

function sdp(ip: string, size: number): string {
  let s =
    `v=0\r\no=- ${rnd(1e9)} 1 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio ${10_000 + rnd(50_000)} RTP/AVP 0 8 101\r\n` +
    'a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n';
  for (let i = 0; s.length < size; i++) s += `a=candidate:${i} 1 udp ${2_130_706_431 - i} ${ip} ${10_000 + i} typ host\r\n`;
  return s;
}

/** One SIP message of 400-1200 bytes with its own Call-ID. */
export function sipMessage(i: number): Buffer {
  const callId = `${hex(16)}-${i}@10.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
  const a = `u${rnd(10_000)}`;
  const b = `+1555${String(rnd(10_000_000)).padStart(7, '0')}`;
  const ip = `192.168.${rnd(256)}.${rnd(256)}`;
  const target = 400 + rnd(801);
  const kind = rnd(6);
  const via = `Via: SIP/2.0/UDP ${ip}:5060;branch=z9hG4bK-${hex(12)};rport`;
  const from = `From: "User ${a}" <sip:${a}@voip.example.com>;tag=${hex(8)}`;
  const to = `To: <sip:${b}@voip.example.com;user=phone>${kind === 1 || kind === 2 ? `;tag=${hex(8)}` : ''}`;
  const common = [via, 'Max-Forwards: 70', from, to, `Call-ID: ${callId}`];
  let start: string;
  let headers: string[];
  if (kind === 0 || kind === 3) {
    start = `INVITE sip:${b}@voip.example.com;user=phone SIP/2.0`;
    headers = [
      ...common,
      'CSeq: 1 INVITE',
      `Contact: <sip:${a}@${ip}:5060>`,
      'User-Agent: Yealink SIP-T46U 108.86.0.45',
      `P-Asserted-Identity: <sip:${a}@voip.example.com>`,
      'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE',
    ];
  } else if (kind === 1) {
    start = 'SIP/2.0 180 Ringing';
    headers = [...common, 'CSeq: 1 INVITE', `Contact: <sip:${b}@10.0.0.5:5060>`, 'Server: Asterisk PBX 20.5.0'];
  } else if (kind === 2) {
    start = 'SIP/2.0 200 OK';
    headers = [
      ...common,
      'CSeq: 1 INVITE',
      `Contact: <sip:${b}@10.0.0.5:5060>`,
      'Server: Asterisk PBX 20.5.0',
      'Supported: replaces, timer',
    ];
  } else if (kind === 4) {
    start = `BYE sip:${b}@10.0.0.5:5060 SIP/2.0`;
    headers = [...common, 'CSeq: 2 BYE', 'User-Agent: Linphone/5.2.5', 'Reason: Q.850;cause=16;text="Normal call clearing"'];
  } else {
    start = 'REGISTER sip:voip.example.com SIP/2.0';
    headers = [
      ...common,
      'CSeq: 2 REGISTER',
      `Contact: <sip:${a}@${ip}:5060>;expires=3600`,
      'Expires: 3600',
      'User-Agent: Zoiper rv2.10.20.2',
      `Authorization: Digest username="${a}", realm="voip.example.com", nonce="${hex(16)}", uri="sip:voip.example.com", response="${hex(32)}", algorithm=MD5`,
    ];
  }
  const head = [start, ...headers].join('\r\n');
  const withBody = kind === 0 || kind === 2 || kind === 3;
  // Pad to the target size: SDP for INVITE/200, a header otherwise.
  let body = '';
  if (withBody) body = sdp(ip, Math.max(0, target - head.length - 60));
  else if (head.length + 30 < target) headers.push(`X-Trace: ${'t'.repeat(target - head.length - 30)}`);
  const lines = [start, ...headers];
  if (withBody) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export const recordOptions = { captureNode: 'homer01', callidAlegHeaders: ['X-CID'], customHeaders: [] as [] };
