// HEP decode/encode throughput, measured the way the agents run: bundled by esbuild (as scripts/build-app.mjs does).
//   npx esbuild bench/hep-decode.bench.ts --bundle --platform=node --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/hep-decode.js --log-level=warning && node dist/bench/hep-decode.js
// Target: decodeHep of a typical ~800-byte HEP3 SIP packet above 1,000,000 decodes/s on one core.
// Not a `vitest bench` suite on purpose: vitest's module runner turns every cross-module reference into a
// property load on a module namespace object, which made the same decode about 5x slower than the bundle.
import { decodeHep, encodeHep1, encodeHep3, formatIpv6 } from '@sipcap/hep';

const sip = Buffer.from(
  'INVITE sip:+15551234567@voip.example.com;user=phone SIP/2.0\r\n' +
    'Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-524287-1---77ba8f3c1dbc1a2e;rport\r\n' +
    'Max-Forwards: 70\r\n' +
    'Contact: <sip:alice@198.51.100.10:5060;transport=udp>\r\n' +
    'To: <sip:+15551234567@voip.example.com;user=phone>\r\n' +
    'From: "Alice" <sip:alice@voip.example.com>;tag=6a3f1c2b\r\n' +
    'Call-ID: NzY4ZDc3YjE1ZjU0ZWE4ZTM1NmMyNTRjMGQ4Njg4YjQ.\r\n' +
    'CSeq: 1 INVITE\r\n' +
    'Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n' +
    'Content-Type: application/sdp\r\n' +
    'User-Agent: Zoiper rv2.10.8.2\r\n' +
    'Content-Length: 232\r\n\r\n' +
    'v=0\r\no=Z 0 0 IN IP4 198.51.100.10\r\ns=Z\r\nc=IN IP4 198.51.100.10\r\nt=0 0\r\n' +
    'm=audio 8000 RTP/AVP 106 9 98 101 0 8 3\r\na=rtpmap:106 opus/48000/2\r\n' +
    'a=rtpmap:98 telephone-event/48000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n',
);
const common = {
  srcIp: '198.51.100.10',
  dstIp: '203.0.113.5',
  srcPort: 5060,
  dstPort: 5060,
  tsSec: 1_712_345_678,
  tsUsec: 123_456,
  captureId: 2001,
  payload: sip,
};
const hep3 = encodeHep3(common);
const hep3Auth = encodeHep3({ ...common, authKey: 'myKey', correlationId: 'NzY4ZDc3YjE1ZjU0' });
const hep3v6 = encodeHep3({ ...common, srcIp: '2001:db8:85a3::8a2e:370:7334', dstIp: '2001:db8::1' });
const hep1 = encodeHep1(common);
const v6 = Buffer.from('20010db885a3000000008a2e03707334', 'hex');

let sink = 0;

/** Runs `op` for about `ms` after a warm-up and prints operations per second. */
function measure(name: string, op: () => number, ms = 1500): void {
  for (let i = 0; i < 200_000; i++) sink += op(); // warm-up: let the JIT optimise
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 10_000; i++) sink += op();
    n += 10_000;
    elapsed = process.hrtime.bigint() - start;
  }
  const ns = Number(elapsed) / n;
  console.log(
    `${name.padEnd(44)} ${Math.round(1e9 / ns)
      .toLocaleString('en-US')
      .padStart(11)} ops/s  ${ns.toFixed(0).padStart(5)} ns/op`,
  );
}

const decodePort = (buf: Buffer) => () => {
  const r = decodeHep(buf);
  return r.ok ? r.packet.srcPort : 0;
};

measure(`decodeHep HEP3 IPv4 (${hep3.length} B)`, decodePort(hep3));
measure(`decodeHep HEP3 IPv4 + auth key, corr id (${hep3Auth.length} B)`, decodePort(hep3Auth));
measure(`decodeHep HEP3 IPv6 (${hep3v6.length} B)`, decodePort(hep3v6));
measure(`decodeHep HEP v1 IPv4 (${hep1.length} B)`, decodePort(hep1));
measure('formatIpv6 (cached)', () => formatIpv6(v6, 0).length);
// 4096 distinct addresses cycle through a 512-slot cache: mostly misses.
const many = Buffer.alloc(16 * 4096);
for (let i = 0; i < 4096; i++) {
  v6.copy(many, i * 16);
  many.writeUInt16BE(i, i * 16 + 14);
  many.writeUInt16BE(i * 7, i * 16 + 4);
}
let next = 0;
measure('formatIpv6 (uncached)', () => formatIpv6(many, (next = (next + 1) & 4095) * 16).length);
measure('encodeHep3 IPv4', () => encodeHep3(common).length);
if (sink === 0) console.log('(nothing decoded)');
