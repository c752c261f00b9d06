// The stats app's work on one core: Kafka values (record batches of 100, as the agents publish them) of
// whole calls (INVITE, 100, 180, 200, ACK, BYE, 200) → KpiPipeline → prom-client metrics; and the memory
// one tracked (answered, active) call holds.
//   npx esbuild bench/stats.bench.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/stats.js --log-level=warning && node --expose-gc dist/bench/stats.js
import { Registry } from 'prom-client';
import { SipParser } from '@sipcap/sip';
import { buildRecord, encodeRecord, encodeRecordBatch, Family, Proto, recordExtraHeaders, type BuildRecordOptions } from '@sipcap/record';
import { KpiMetrics, KpiPipeline, PeerMap } from '@sipcap/sip-stats';

const OPTS: BuildRecordOptions = { captureNode: 'homer01', callidAlegHeaders: ['X-CID'], customHeaders: [] };
const CALLS = 20_000;
const BATCH = 100;
const T0 = 1_764_000_000_000_000n;

function record(lines: string[], fromCaller: boolean, tsUs: bigint, i: number): Buffer {
  const msg = Buffer.from(lines.join('\r\n') + '\r\n\r\n');
  const p = new SipParser({ extraHeaders: recordExtraHeaders(OPTS) }).parse(msg);
  if (!p.ok) throw new Error(p.message);
  const a = `10.0.${(i >> 8) & 255}.${i & 255}`;
  const b = `203.0.113.${i % 250}`;
  const [srcIp, dstIp] = fromCaller ? [a, b] : [b, a];
  return Buffer.from(
    encodeRecord(
      buildRecord(
        { sip: p.sip, srcIp, srcPort: 5060, dstIp, dstPort: 5060, family: Family.IPV4, proto: Proto.UDP, microTs: tsUs, msg },
        OPTS,
      ),
    ),
  );
}

function callRecords(i: number, prefix: string, withBye = true): Buffer[] {
  const callId = `${prefix}-${i}-a84b4c76e66710@pc33.example.org`;
  const common = (cseq: string, branch: string, toTag: boolean) => [
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${branch}`,
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@example.org>;tag=1928301774',
    `To: <sip:+15557654321@example.com>${toTag ? ';tag=a6c85cf' : ''}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    'Contact: <sip:alice@10.0.0.1:5060>',
    'User-Agent: bench',
    'Content-Length: 0',
  ];
  const t = T0 + BigInt(i) * 1000n;
  const out = [
    record(['INVITE sip:+15557654321@example.com SIP/2.0', ...common('1 INVITE', 'z9hG4bK1', false)], true, t, i),
    record(['SIP/2.0 100 Trying', ...common('1 INVITE', 'z9hG4bK1', false)], false, t + 20_000n, i),
    record(['SIP/2.0 180 Ringing', ...common('1 INVITE', 'z9hG4bK1', true)], false, t + 300_000n, i),
    record(['SIP/2.0 200 OK', ...common('1 INVITE', 'z9hG4bK1', true)], false, t + 3_000_000n, i),
    record(['ACK sip:+15557654321@example.com SIP/2.0', ...common('1 ACK', 'z9hG4bK2', true)], true, t + 3_100_000n, i),
  ];
  if (withBye) {
    out.push(record(['BYE sip:+15557654321@example.com SIP/2.0', ...common('2 BYE', 'z9hG4bK3', true)], true, t + 63_000_000n, i));
    out.push(record(['SIP/2.0 200 OK', ...common('2 BYE', 'z9hG4bK3', true)], false, t + 63_050_000n, i));
  }
  return out;
}

function pipeline(): KpiPipeline {
  return new KpiPipeline({
    peers: new PeerMap('carrierA=203.0.113.0/25,carrierB=203.0.113.128/25,pbx=10.0.0.0/16'),
    metrics: new KpiMetrics(new Registry()),
    retransWindowS: 32,
    callTtlS: 10_800,
    maxItems: 10_000_000,
    maxBytes: 4 * 2 ** 30,
    rtpClockHz: 8000,
  });
}

// Calls interleaved as on a busy trunk: message k of every call in a window of 500 calls, then k + 1.
const records: Buffer[] = [];
const perCall = Array.from({ length: CALLS }, (_, i) => callRecords(i, 'c'));
for (let w = 0; w < CALLS; w += 500)
  for (let k = 0; k < 7; k++) for (let i = w; i < Math.min(w + 500, CALLS); i++) records.push(perCall[i][k]);
const values: { offset: string; value: Buffer }[] = [];
for (let i = 0; i < records.length; i += BATCH)
  values.push({ offset: String(values.length), value: encodeRecordBatch(records.slice(i, i + BATCH)) });

const rates: number[] = [];
for (let round = 0; round < 6; round++) {
  const p = pipeline();
  const start = process.cpuUsage();
  // 40 values (4000 records) per handle(), as a fetched Kafka batch.
  for (let i = 0; i < values.length; i += 40) p.handle(0, values.slice(i, i + 40), 0);
  const cpu = process.cpuUsage(start);
  if (p.records.sip !== records.length) throw new Error(`read ${p.records.sip} of ${records.length}`);
  if (round > 0) rates.push(records.length / ((cpu.user + cpu.system) / 1e6));
}
rates.sort((a, b) => a - b);
console.log(
  `stats pipeline: ${Math.round(rates[2]).toLocaleString('en')} records/s per core (median of 5 rounds of ${records.length.toLocaleString('en')} records, ${CALLS.toLocaleString('en')} whole calls, batches of ${BATCH})`,
);

// Memory per tracked call: 100,000 answered calls without BYE held at once.
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.log('memory per call: run with node --expose-gc');
} else {
  const HELD = 100_000;
  const held: Buffer[] = [];
  for (let i = 0; i < HELD; i++) held.push(...callRecords(i, 'held', false));
  const heldValues: { offset: string; value: Buffer }[] = [];
  for (let i = 0; i < held.length; i += BATCH)
    heldValues.push({ offset: String(heldValues.length), value: encodeRecordBatch(held.slice(i, i + BATCH)) });
  held.length = 0;
  const p = pipeline();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < heldValues.length; i += 40) p.handle(0, heldValues.slice(i, i + 40), 0);
  gc();
  const after = process.memoryUsage().heapUsed;
  const state = p.state;
  if (p.records.sip !== heldValues.length * BATCH) console.log(p.records, state);
  console.log(
    `memory per tracked call: ${Math.round((after - before) / HELD)} bytes of heap (${HELD.toLocaleString('en')} answered calls and their transactions held: ${state.items.toLocaleString('en')} items; the budget's estimate ${Math.round(state.bytes / HELD)} bytes per call)`,
  );
}
