// Dedup at the writer (DEDUP_WINDOW_MS): every message captured at two points (two agents, two capture ids:
// the same SIP bytes, another node, a capture time 2 ms later) is stored once, also when the writer is
// killed (SIGKILL) in the middle and another takes over from the committed offsets and dedup window; with
// dedup off, both copies are stored. The copies are published the way agents publish (RecordProducer,
// keyed by Call-ID), interleaved 100 messages apart, so a copy often lands in another Kafka batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRecord, type CaptureRecord } from '@sipcap/record';
import { buildApp, type AgentProcess } from './support/agent-process';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { Feeder, startWriter, TestDb } from './support/writer-fixtures';

const processes: AgentProcess[] = [];
const databases: TestDb[] = [];
beforeAll(() => buildApp('db-writer'));
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
});

function copies(run: string, i: number, t0: number): [CaptureRecord, CaptureRecord] {
  const callid = `${run}-${i}`;
  const msg = Buffer.from(
    `OPTIONS sip:probe@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${i}\r\nFrom: <sip:a@example.com>;tag=${i}\r\n` +
      `To: <sip:probe@example.com>\r\nCall-ID: ${callid}\r\nCSeq: ${i} OPTIONS\r\nContent-Length: 0\r\n\r\n`,
  );
  const micro = BigInt(t0) * 1000n + BigInt(i) * 100n;
  const base = { callid, correlation_id: callid, cseq: `${i} OPTIONS`, method: 'OPTIONS', msg };
  return [
    sampleRecord({ ...base, node: 'homer01:1', micro_ts: micro }),
    sampleRecord({ ...base, node: 'homer01:2', micro_ts: micro + 2000n }),
  ];
}

async function feedCopies(topic: string, run: string, total: number, perSecond: number, onProgress?: () => Promise<void>): Promise<void> {
  const f = new Feeder(topic);
  const t0 = Date.now();
  const lag = 100;
  try {
    for (let i = 0; i < total + lag; i++) {
      if (i < total) f.publishRecord(copies(run, i, t0)[0]);
      if (i >= lag) f.publishRecord(copies(run, i - lag, t0)[1]);
      if (i % 500 === 499) {
        await onProgress?.();
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i / perSecond) * 1000 - Date.now())));
      }
    }
  } finally {
    await f.stop();
  }
}

describe('dedup across capture points', () => {
  it('20,000 messages captured twice: 20,000 rows with dedup (writer killed half-way), 40,000 without', async () => {
    const topic = await freshTopic(6, 'dedup');
    const total = 20_000;
    const on = await new TestDb('postgres').create();
    const off = await new TestDb('postgres').create();
    const onMysql = await new TestDb('mysql').create();
    databases.push(on, off, onMysql);
    const group = uniqueName('g-dedup');
    const dedup = { DEDUP_WINDOW_MS: '200' };
    const first = startWriter(on, topic, group, dedup);
    const others = [startWriter(off, topic, uniqueName('g-nodedup')), startWriter(onMysql, topic, uniqueName('g-dedup-my'), dedup)];
    processes.push(first, ...others);
    for (const w of [first, ...others]) await w.waitForLog('db-writer consuming', 60_000);

    let second: AgentProcess | undefined;
    await feedCopies(topic, uniqueName('dup'), total, 4_000, async () => {
      if (second) return;
      const { rows } = await on.counts();
      if (rows >= total / 3) {
        first.child.kill('SIGKILL');
        await first.exited;
        second = startWriter(on, topic, group, dedup);
        processes.push(second);
      }
    });
    expect(second, 'the writer was killed half-way').toBeDefined();

    const settled = async (db: TestDb, rows: number) => {
      await waitFor(`${rows} rows in ${db.name}`, async () => ((await db.counts()).rows >= rows ? true : undefined), 120_000, 500);
      await new Promise((r) => setTimeout(r, 2000)); // anything stored twice would show now
      return db.counts();
    };
    expect(await settled(on, total)).toEqual({ rows: total, callids: total });
    expect(await settled(onMysql, total)).toEqual({ rows: total, callids: total });
    expect(await settled(off, 2 * total)).toEqual({ rows: 2 * total, callids: total });
    // The first copy is the one kept: capture point 1's, except where the two were fetched in another order.
    const nodes = await on.query<{ node: string; n: string }>('SELECT node, count(*) AS n FROM sip_capture GROUP BY node');
    expect(nodes.reduce((a, r) => a + Number(r.n), 0)).toBe(total);
    expect(await second!.metric('sipcap_dedup_dropped_total')).toBeGreaterThan(0);
  }, 300_000);
});
