import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcap } from '@sipcap/packet';
import { buildApp, startAgent } from './support/agent-process';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { sipCaptureFrames } from './support/sip-capture-file';
import { startWriter, TestDb } from './support/writer-fixtures';

// A capture taken elsewhere, loaded with PCAP_FILE: every SIP message of it ends up as a row.
describe('PCAP_FILE into the database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raw-db-'));
  const db = new TestDb('postgres');
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('stores every SIP message of a pcap with several calls (UDP, IPv6, TCP, VLAN fragments) exactly once', async () => {
    buildApp('mirror-agent');
    buildApp('db-writer');
    await db.create();
    const capture = sipCaptureFrames(10, { seq0: 500_000 });
    const file = join(dir, 'calls.pcap');
    writeFileSync(file, writePcap(capture.frames));
    const topic = await freshTopic(6);
    const writer = startWriter(db, topic, uniqueName('raw-db'));
    try {
      const agent = startAgent('mirror-agent', {
        RAW_MONI_CAPTURE_ON: '1',
        RAW_SOCKET_LISTEN: '0.0.0.0:5060-5080',
        PCAP_FILE: file,
        KAFKA_TOPIC: topic,
        CAPTURE_ON: '1',
        CAPTURE_FLAG_KEY: uniqueName('raw-db-flag'),
        CUSTOM_FIELD1_HEADER: 'X-Seq',
      });
      expect((await agent.exited).code).toBe(0);
      const want = capture.expected.length;
      await waitFor('every message as a row', async () => ((await db.counts()).rows >= want ? true : undefined), 60_000, 250);
      const rows = await db.query<{ custom_field1: string; callid: string; source_ip: string; proto: number }>(
        'SELECT custom_field1, callid, source_ip, proto FROM sip_capture',
      );
      expect(rows).toHaveLength(want);
      const bySeq = new Map(rows.map((r) => [r.custom_field1, r]));
      expect(bySeq.size).toBe(want);
      for (const e of capture.expected) {
        const r = bySeq.get(String(e.seq));
        expect(r, `message ${e.seq}`).toBeDefined();
        expect([r!.callid, r!.source_ip, Number(r!.proto)]).toEqual([e.callId, e.srcIp, e.proto]);
      }
    } finally {
      await writer.stop();
    }
  });
});
