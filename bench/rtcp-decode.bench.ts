// RTCP decode to JSON text on one core: binary compound packets (SR + SDES, RR + SDES + BYE, RR + XR
// VoIP metrics, RR + APP) to the JSON stored in rtcp_capture.msg.
//   npx esbuild bench/rtcp-decode.bench.ts --bundle --platform=node --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/rtcp-decode.js --log-level=warning && node dist/bench/rtcp-decode.js
// Target (issue 14): at least 100,000 reports/s per core.
import { decodeRtcpToJson } from '@sipcap/rtcp';
import { RTCP_FIXTURES } from '../libs/rtcp/src/test-fixtures';

// Distinct packets: the fixtures with their SSRCs and counters varied, so nothing is cached by shape alone.
const packets: Buffer[] = [];
for (let i = 0; i < 1000; i++) {
  for (const f of [RTCP_FIXTURES.srSdes, RTCP_FIXTURES.rrSdesBye, RTCP_FIXTURES.rrXr, RTCP_FIXTURES.rrApp]) {
    const b = Buffer.from(f);
    b.writeUInt32BE((0x10000000 + i * 7919) >>> 0, 4);
    b.writeUInt32BE(i * 1000, 12);
    packets.push(b);
  }
}

function once(p: Buffer): number {
  const r = decodeRtcpToJson(p);
  if (!r.ok) throw new Error(r.message);
  return r.text.length;
}

let sink = 0;
for (let i = 0; i < 100_000; i++) sink += once(packets[i % packets.length]); // warm-up
const rates: number[] = [];
const wall: number[] = [];
for (let round = 0; round < 5; round++) {
  const n = 200_000;
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < n; i++) sink += once(packets[i % packets.length]);
  const cpu = process.cpuUsage(t0);
  wall.push(n / ((performance.now() - w0) / 1000));
  rates.push(n / ((cpu.user + cpu.system) / 1e6));
}
rates.sort((a, b) => a - b);
wall.sort((a, b) => a - b);
const avg = Math.round(packets.reduce((n, p) => n + p.length, 0) / packets.length);
console.log(
  `RTCP decode to JSON text, ${packets.length} distinct compound packets, avg ${avg} B, avg JSON ${Math.round(sink / (100_000 + 5 * 200_000))} B`,
);
console.log(
  `  median ${Math.round(rates[2]).toLocaleString('en')} reports/s per core of CPU time (min ${Math.round(rates[0]).toLocaleString('en')}, max ${Math.round(rates[4]).toLocaleString('en')}); target 100,000`,
);
console.log(
  `  median ${Math.round(wall[2]).toLocaleString('en')} reports/s by wall clock (best ${Math.round(wall[4]).toLocaleString('en')})`,
);
