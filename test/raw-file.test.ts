import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testing, writePcap } from '@sipcap/packet';
import type { CaptureRecord } from '@sipcap/record';
import { buildApp, readRecords, startAgent } from './support/agent-process';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { sipCaptureFrames, type ExpectedMessage } from './support/sip-capture-file';

const dir = mkdtempSync(join(tmpdir(), 'raw-file-'));

/** The settings of a file load; the capture flag key is the test's own, so the shared Redis flag cannot interfere. */
const env = (topic: string, file: string, extra: Record<string, string> = {}) => ({
  RAW_MONI_CAPTURE_ON: '1',
  RAW_SOCKET_LISTEN: '0.0.0.0:5060-5080',
  PCAP_FILE: file,
  KAFKA_TOPIC: topic,
  KAFKA_PARTITIONS: '4',
  CAPTURE_ON: '1',
  CAPTURE_FLAG_KEY: uniqueName('raw-file-flag'),
  CUSTOM_FIELD1_HEADER: 'X-Seq',
  ...extra,
});

/** Every expected message arrives exactly once, with its addresses, transport, time and bytes. */
function checkRecords(records: CaptureRecord[], expected: ExpectedMessage[]): void {
  const bySeq = new Map<string, CaptureRecord[]>();
  for (const r of records) bySeq.set(r.custom_field1, [...(bySeq.get(r.custom_field1) ?? []), r]);
  expect(records.length).toBe(expected.length);
  for (const e of expected) {
    const got = bySeq.get(String(e.seq));
    expect(got, `message ${e.seq} of ${e.callId}`).toHaveLength(1);
    const r = got![0];
    expect({
      callid: r.callid,
      source_ip: r.source_ip,
      source_port: r.source_port,
      destination_ip: r.destination_ip,
      destination_port: r.destination_port,
      proto: r.proto,
      family: r.family,
      micro_ts: r.micro_ts,
    }).toEqual({
      callid: e.callId,
      source_ip: e.srcIp,
      source_port: e.srcPort,
      destination_ip: e.dstIp,
      destination_port: e.dstPort,
      proto: e.proto,
      family: e.family,
      micro_ts: e.tsMicros,
    });
    expect(Buffer.from(r.msg).equals(e.payload)).toBe(true);
  }
}

/** Per call, the records come out of Kafka (one partition per Call-ID) in the order they were sent. */
function checkOrder(records: CaptureRecord[], expected: ExpectedMessage[]): void {
  const sent = new Map<string, number[]>();
  for (const e of expected) sent.set(e.callId, [...(sent.get(e.callId) ?? []), e.seq]);
  const got = new Map<string, number[]>();
  for (const r of records) got.set(r.callid, [...(got.get(r.callid) ?? []), Number(r.custom_field1)]);
  for (const [callId, seqs] of sent) expect(got.get(callId), callId).toEqual(seqs);
}

async function load(file: string, expectedCount: number, extra: Record<string, string> = {}) {
  const topic = await freshTopic(4, 'raw-file');
  const agent = startAgent('mirror-agent', env(topic, file, extra));
  const exit = await agent.exited;
  expect(exit, agent.output()).toEqual({ code: 0, signal: null });
  expect(agent.output()).toContain('capture file read and decoded');
  const reader = await readRecords(topic);
  try {
    await waitFor(`${expectedCount} records`, () => (reader.records.length >= expectedCount ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 500)); // anything beyond the expected would show now
    return { records: [...reader.records], output: agent.output() };
  } finally {
    await reader.stop();
  }
}

describe('mirror-agent PCAP_FILE', () => {
  beforeAll(() => buildApp('mirror-agent'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a pcap file of several calls (UDP, IPv6, TCP, VLAN and fragments) into Kafka and exits 0', async () => {
    const capture = sipCaptureFrames(12);
    const file = join(dir, 'calls.pcap');
    writeFileSync(file, writePcap(capture.frames));
    const { records } = await load(file, capture.expected.length);
    checkRecords(records, capture.expected);
    checkOrder(records, capture.expected);
  });

  it('loads a pcapng file', async () => {
    const capture = sipCaptureFrames(8, { seq0: 10_000 });
    const file = join(dir, 'calls.pcapng');
    writeFileSync(
      file,
      testing.buildPcapng({
        interfaces: [{ linktype: 1 }],
        packets: capture.frames.map((f) => ({ interfaceId: 0, ts: f.tsMicros, frame: f.frame })),
      }),
    );
    const { records } = await load(file, capture.expected.length);
    checkRecords(records, capture.expected);
  });

  it('with RAW_SOCK_CHILDREN=2 publishes every message of many calls exactly once and each call in order', async () => {
    const capture = sipCaptureFrames(400, { seq0: 100_000 });
    const file = join(dir, 'many.pcap');
    writeFileSync(file, writePcap(capture.frames));
    const { records, output } = await load(file, capture.expected.length, { RAW_SOCK_CHILDREN: '2' });
    expect(output).toContain('decoding workers started');
    // Both workers had a share of the calls.
    const shares = JSON.parse(/"workerFrames":(\[[0-9,]+\])/.exec(output)![1]) as number[];
    expect(shares).toHaveLength(2);
    for (const n of shares) expect(n).toBeGreaterThan(capture.frames.length / 5);
    checkRecords(records, capture.expected);
    checkOrder(records, capture.expected);
  });
});
