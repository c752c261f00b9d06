// The record's per-column accessors on the hot paths, on one core: the agent's Kafka encoding (reads every
// string column of a built record), the writer's decoding (builds a record from a value) and its
// row encoders (every column in table order). Run before and after a change to the accessors:
//   npx esbuild bench/record-accessors.bench.ts --bundle --platform=node --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/record-accessors.js --log-level=warning && node dist/bench/record-accessors.js
import { columnValues, decodeRecord, encodeRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';

const N = 20_000;
const records: CaptureRecord[] = Array.from({ length: N }, (_, i) =>
  sampleRecord({ callid: `call-${i}@198.51.100.${i % 250}`, from_user: `user${i}`, micro_ts: 1_700_000_000_000_000n + BigInt(i) }),
);
const values = records.map((r) => encodeRecord(r));

function round(name: string, work: () => number): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let k = 0; k < 10; k++) sink += work();
  const ns = Number(process.hrtime.bigint() - t0) / (10 * N);
  if (sink === 42) console.log('');
  return ns;
}

const results: Record<string, number[]> = { encode: [], decode: [], columnValues: [] };
for (let rep = 0; rep < 7; rep++) {
  results.encode.push(round('encode', () => records.reduce((n, r) => n + encodeRecord(r).length, 0)));
  results.decode.push(
    round('decode', () =>
      values.reduce((n, v) => {
        const d = decodeRecord(v);
        return n + (d.ok ? d.record.source_port : 0);
      }, 0),
    ),
  );
  results.columnValues.push(round('columnValues', () => records.reduce((n, r) => n + columnValues(r).length, 0)));
}
for (const [name, ns] of Object.entries(results)) {
  const sorted = ns.slice(2).sort((a, b) => a - b); // the first two rounds warm the JIT
  console.log(`${name.padEnd(13)} median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ns/record (best ${sorted[0].toFixed(0)})`);
}
