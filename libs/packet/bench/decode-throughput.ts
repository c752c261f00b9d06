/**
 * Throughput of the hot path on one Ethernet/IPv4/UDP SIP frame (the hand-written OPTIONS fixture and a
 * 900-byte INVITE), of the Decoder (which also copies the payload), and of the pcap reader.
 * Run: npx esbuild libs/packet/bench/decode-throughput.ts --bundle --platform=node --outfile=/tmp/bench.cjs \
 *        --alias:@sipcap/hep=./libs/hep/src/index.ts && node /tmp/bench.cjs
 */
import { decodeFrame, Decoder, LinkType, readCaptureFile, testing, writePcap } from '../src/index';
import { OPTIONS_FRAME_HEX } from '../src/fixtures/captured';

function measure(name: string, seconds: number, fn: () => void): void {
  for (let i = 0; i < 200_000; i++) fn(); // warm up the JIT
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 10_000; i++) fn();
    n += 10_000;
    now = process.hrtime.bigint();
  }
  const perSecond = (n * 1e9) / Number(now - start);
  console.log(`${name}: ${Math.round(perSecond).toLocaleString('en-US')} /s (${(1e9 / perSecond).toFixed(0)} ns each)`);
}

const options = Buffer.from(OPTIONS_FRAME_HEX, 'hex');
const invite = testing.buildEthernetIpv4Udp({
  srcIp: '192.0.2.10',
  dstIp: '198.51.100.20',
  srcPort: 5060,
  dstPort: 5060,
  payload: testing.sipRequest({ body: testing.sdpBody(600) }),
});
const vlanInvite = testing.buildEthernetIpv4Udp({
  srcIp: '192.0.2.10',
  dstIp: '198.51.100.20',
  srcPort: 5060,
  dstPort: 5060,
  payload: testing.sipRequest({ body: testing.sdpBody(600) }),
  vlans: [100],
});
let sink = 0;
measure(`decodeFrame Ethernet/IPv4/UDP OPTIONS (${options.length} B)`, 3, () => {
  const r = decodeFrame(LinkType.ETHERNET, options);
  if (r.ok) sink += r.packet.srcPort;
});
measure(`decodeFrame Ethernet/IPv4/UDP INVITE (${invite.length} B)`, 3, () => {
  const r = decodeFrame(LinkType.ETHERNET, invite);
  if (r.ok) sink += r.packet.srcPort;
});
measure(`decodeFrame Ethernet/802.1Q/IPv4/UDP INVITE`, 2, () => {
  const r = decodeFrame(LinkType.ETHERNET, vlanInvite);
  if (r.ok) sink += r.packet.srcPort;
});
const decoder = new Decoder();
measure('Decoder.decode (decode + payload copy) INVITE', 3, () => {
  sink += decoder.decode(LinkType.ETHERNET, invite, 1n).length;
});
const file = writePcap(Array.from({ length: 10_000 }, (_, i) => ({ tsMicros: BigInt(i), frame: invite })));
let records = 0;
const t0 = process.hrtime.bigint();
for (let k = 0; k < 30; k++) for (const r of readCaptureFile(file)) records += r.frame.length > 0 ? 1 : 0;
console.log(`readCaptureFile: ${Math.round((records * 1e9) / Number(process.hrtime.bigint() - t0)).toLocaleString('en-US')} records/s`);
if (sink === 42) console.log('');
