// Cost of a HEP packet with a wrong HEP_AUTH_KEY, next to the right-key decode, measured the way the agent
// runs (bundled by esbuild, as scripts/build-app.mjs does):
//   npx esbuild bench/hep-auth.bench.ts --bundle --platform=node --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/hep-auth.js --log-level=warning && node dist/bench/hep-auth.js
// Target: a crafted ~1.1 KB wrong-key packet whose chunk-16 payload would inflate to 1 MiB costs under 50 µs
// in HepIngest.ingest (the key is checked from the chunk headers before anything is decoded or inflated).
import pino from 'pino';
import { Registry } from 'prom-client';
import { deflateSync, inflateSync } from 'node:zlib';
import { CapturePublisher } from '@sipcap/agent';
import { HepIngest } from '../apps/hep-agent/src/hep-ingest';
import { checkHepAuth, decodeHep, encodeHep3 } from '@sipcap/hep';

const KEY = 'the-right-key-0123456789';
const addr = {
  srcIp: '198.51.100.10',
  dstIp: '203.0.113.5',
  srcPort: 5060,
  dstPort: 5060,
  tsSec: 1_712_345_678,
  tsUsec: 1,
  captureId: 2001,
};
const sip = Buffer.from(
  'INVITE sip:+15551234567@voip.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-1\r\n' +
    'From: "Alice" <sip:alice@voip.example.com>;tag=6a3f1c2b\r\nTo: <sip:+15551234567@voip.example.com>\r\n' +
    'Call-ID: bench-auth-1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@198.51.100.10:5060>\r\nContent-Length: 0\r\n\r\n' +
    'x'.repeat(700),
);
// The attack: ~1.1 KB on the wire, 1 MiB once inflated, with a key of the right length but wrong bytes.
const wrongBomb = encodeHep3({ ...addr, authKey: 'the-wrong-key-0123456789', payload: Buffer.alloc(1 << 20, 0x41), compress: true });
const missingBomb = encodeHep3({ ...addr, payload: Buffer.alloc(1 << 20, 0x41), compress: true });
const rightBomb = encodeHep3({ ...addr, authKey: KEY, payload: Buffer.alloc(1 << 20, 0x41), compress: true });
const right = encodeHep3({ ...addr, authKey: KEY, payload: sip, compress: true });
const rightPlain = encodeHep3({ ...addr, authKey: KEY, payload: sip });

const log = pino({ level: 'silent' });
const registry = new Registry();
const publisher = new CapturePublisher({
  captureNode: 'homer01',
  callidAlegHeaders: [],
  customHeaders: [undefined, undefined, undefined],
  captureBadMsgs: false,
  sink: { publish: () => true },
  flag: { isOn: () => true },
  log,
  registry,
});
const ingest = new HepIngest({ publisher, authKey: KEY, log, registry });
const keyBuf = Buffer.from(KEY);

let sink = 0;

/** Runs `op` for about `ms` after a warm-up and prints the time per operation. */
function measure(name: string, op: () => number, ms = 1500, warm = 20_000): void {
  for (let i = 0; i < warm; i++) sink += op();
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 100; i++) sink += op();
    n += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  const us = Number(elapsed) / n / 1000;
  console.log(
    `${name.padEnd(62)} ${us.toFixed(2).padStart(9)} µs/op ${Math.round(1e6 / us)
      .toLocaleString('en-US')
      .padStart(11)} ops/s`,
  );
}

console.log(`wrong-key bomb ${wrongBomb.length} B, right-key SIP ${right.length} B (compressed), ${rightPlain.length} B (plain)`);
measure(`ingest: wrong key, payload inflating to 1 MiB (${wrongBomb.length} B)`, () => (ingest.ingest(wrongBomb, 'udp'), 1));
measure(`ingest: no key, payload inflating to 1 MiB (${missingBomb.length} B)`, () => (ingest.ingest(missingBomb, 'udp'), 1));
measure(`checkHepAuth alone: wrong key (${wrongBomb.length} B)`, () => (checkHepAuth(wrongBomb, keyBuf) === 'wrong' ? 1 : 0));
measure(`ingest: right key, compressed SIP, published (${right.length} B)`, () => (ingest.ingest(right, 'udp'), 1));
measure(`ingest: right key, plain SIP, published (${rightPlain.length} B)`, () => (ingest.ingest(rightPlain, 'udp'), 1));
measure(`decodeHep: right key, compressed SIP (${right.length} B)`, () => (decodeHep(right).ok ? 1 : 0));
measure(`ingest: right key, bomb stopped at 64 KiB (${rightBomb.length} B)`, () => (ingest.ingest(rightBomb, 'udp'), 1), 1500, 2000);
// What the old order cost a wrong key: the whole packet decoded and inflated (to the old 1 MiB bound) first.
const zlib1MiB = deflateSync(Buffer.alloc(1 << 20, 0x41));
measure(
  'before: inflating the 1 MiB bomb (the old bound) per wrong key',
  () => {
    try {
      return inflateSync(zlib1MiB, { maxOutputLength: 1 << 20 }).length;
    } catch {
      return 0;
    }
  },
  1500,
  100,
);
if (sink === 0) console.log('(nothing ran)');
