// Raw capture with RTCP correlation on one core: RawDecoder (frame → packet → SIP or RTCP) over
// Ethernet/IPv4/UDP frames, RTCP capture off and on (RTCP_PORT_RANGE), and RTCP lookups alone.
//   npx esbuild bench/raw-rtcp.bench.ts --bundle --platform=node --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/raw-rtcp.js --log-level=warning && node dist/bench/raw-rtcp.js
import { LinkType, testing } from '@sipcap/packet';
import { RawDecoder } from '@sipcap/raw-capture';
import { RTCP_FIXTURES } from '../libs/rtcp/src/test-fixtures';

const CALLS = 2000;
const sdp = (ip: string, port: number) =>
  [
    'v=0',
    `o=- 1 1 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
const ip = (net: number, i: number) => `10.${net}.${(i >> 8) & 255}.${i & 255}`;
const udp = (srcIp: string, srcPort: number, dstIp: string, dstPort: number, payload: Buffer) =>
  testing.buildEthernetIpv4Udp({ srcIp, dstIp, srcPort, dstPort, payload });

// Per call: INVITE and 200 OK with SDP, a BYE without; and its two RTCP packets.
const sipFrames: Buffer[] = [];
const rtcpFrames: Buffer[] = [];
for (let i = 0; i < CALLS; i++) {
  const callId = `bench-${i}@10.0.0.1`;
  const port = 10_000 + 2 * (i % 5000);
  sipFrames.push(udp(ip(1, i), 5060, ip(2, i), 5060, testing.sipRequest({ callId, body: sdp(ip(1, i), port) })));
  sipFrames.push(udp(ip(2, i), 5060, ip(1, i), 5060, testing.sipReply({ callId, body: sdp(ip(2, i), port) })));
  sipFrames.push(udp(ip(1, i), 5060, ip(2, i), 5060, testing.sipRequest({ callId, method: 'BYE', cseq: 2 })));
  rtcpFrames.push(udp(ip(2, i), port + 1, ip(1, i), port + 1, RTCP_FIXTURES.srSdes));
  rtcpFrames.push(udp(ip(1, i), port + 1, ip(2, i), port + 1, RTCP_FIXTURES.rrSdesBye));
}

function decoder(rtcp: boolean): RawDecoder {
  return new RawDecoder({
    ports: { from: 5060, to: 5060 },
    rtcp: rtcp
      ? { ports: { from: 10_000, to: 20_000 }, maxItems: 200_000, maxBytes: 32 << 20, ttlMicros: 600_000_000n, onReport: () => undefined }
      : undefined,
  });
}

/** Frames per second of CPU time: the median of 5 rounds of `rounds` passes over `frames`. */
function rate(name: string, make: () => RawDecoder, frames: Buffer[], prime?: (d: RawDecoder) => void): void {
  const rates: number[] = [];
  let out = 0;
  for (let round = 0; round < 6; round++) {
    const d = make();
    prime?.(d);
    const passes = 20;
    const t0 = process.cpuUsage();
    for (let p = 0; p < passes; p++)
      for (let i = 0; i < frames.length; i++)
        d.decode(LinkType.ETHERNET, frames[i], 1_764_000_000_000_000n + BigInt(p * frames.length + i), () => out++);
    const cpu = process.cpuUsage(t0);
    if (round > 0) rates.push((passes * frames.length) / ((cpu.user + cpu.system) / 1e6)); // round 0: warm-up
  }
  rates.sort((a, b) => a - b);
  console.log(
    `  ${name}: median ${Math.round(rates[2]).toLocaleString('en')} frames/s per core of CPU time (min ${Math.round(rates[0]).toLocaleString('en')}, max ${Math.round(rates[4]).toLocaleString('en')})`,
  );
}

console.log(`RawDecoder, ${CALLS} calls: ${sipFrames.length} SIP frames (2 of 3 with SDP), ${rtcpFrames.length} RTCP frames`);
rate('SIP, RTCP capture off', () => decoder(false), sipFrames);
rate('SIP, RTCP capture on (SDP learned)', () => decoder(true), sipFrames);
rate(
  'RTCP matched to its call (lookup + report handed on)',
  () => decoder(true),
  rtcpFrames,
  (d) => {
    for (const f of sipFrames) d.decode(LinkType.ETHERNET, f, 1_764_000_000_000_000n, () => undefined);
  },
);
