// Malformed RTCP against a running hep-agent, by kind: every truncation of every fixture, length words
// that run past the datagram or stop short of the report blocks, padding that lies (count 0, longer than
// the packet, the padding bit on a packet that is not the last), report counts the packet cannot hold,
// and 64 KiB of report blocks (over UDP and over TCP). Each is counted under its own reason, none is
// published, valid RTCP sent in between is all published, and the agent stays healthy. (The random
// mutations are in reports-e2e.test.ts; the decoder's own cases in libs/rtcp/src/decode-rtcp.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { decodeRtcp, RTCP_ERROR_REASONS, type RtcpErrorReason } from '@sipcap/rtcp';
import { RTCP_FIXTURES } from '../libs/rtcp/src/test-fixtures';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep, tcpClient, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';

const processes: AgentProcess[] = [];
beforeAll(() => buildApp('hep-agent'));
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
});

const CALL_ID = `rtcp-fuzz-${Date.now()}@192.0.2.10`;
const hep = (payload: Buffer, usec: number, payloadType = 5) =>
  encodeHep3({
    srcIp: '192.0.2.10',
    dstIp: '198.51.100.20',
    srcPort: 30001,
    dstPort: 40001,
    tsSec: 1_764_000_000,
    tsUsec: usec,
    captureId: 2001,
    payloadType,
    correlationId: CALL_ID,
    payload,
  });

const withByte = (b: Buffer, at: number, v: number) => {
  const c = Buffer.from(b);
  c[at] = v;
  return c;
};

/** A receiver report with `blocks` report blocks (31 at most). */
function rr(blocks: number): Buffer {
  const b = Buffer.alloc(8 + blocks * 24, 0x11);
  b[0] = 0x80 | blocks;
  b[1] = 201;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  return b;
}

/** Receiver reports of 31 blocks back to back, then one shorter, filling at most `bytes`. */
function reportBlocks(bytes: number): Buffer {
  const parts: Buffer[] = [];
  let left = bytes;
  while (left >= 8 + 24) {
    const part = rr(Math.min(31, Math.floor((left - 8) / 24)));
    parts.push(part);
    left -= part.length;
  }
  return Buffer.concat(parts);
}

/** Bytes a HEP3 packet of this test adds around its payload. */
const HEP_OVERHEAD = hep(Buffer.alloc(0), 0).length;

describe('malformed RTCP to a running hep-agent', () => {
  it('counts each kind under its reason, publishes none of it, and publishes every valid RTCP sent in between', async () => {
    const topic = await freshTopic(2, 'rtcp-fuzz');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '2',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('rtcp-fuzz-flag'),
    });
    processes.push(agent);
    await agent.waitForLog('hep-agent ready', 60_000);

    // [payload, the reason it is dropped for]: named cases first, as libs/rtcp's tests name them.
    const bad: [Buffer, RtcpErrorReason][] = [
      [withByte(RTCP_FIXTURES.srSdes, 3, 0x20), 'bad_length'], // length word past the datagram
      [withByte(RTCP_FIXTURES.srSdes, 3, 0x0b), 'truncated'], // one word short: the report block does not fit
      [withByte(RTCP_FIXTURES.srSdes, 0, 0x9f), 'truncated'], // SR claiming 31 report blocks
      [Buffer.concat([RTCP_FIXTURES.padded, Buffer.from([0x80, 0xc9])]), 'bad_length'], // leftover bytes
      [withByte(RTCP_FIXTURES.padded, 11, 0), 'bad_padding'], // padding count 0
      [withByte(RTCP_FIXTURES.padded, 11, 13), 'bad_padding'], // padding longer than the packet
      [withByte(RTCP_FIXTURES.srSdes, 0x34, 0xa1), 'bad_padding'], // padding bit on a packet that is not the last
      [withByte(RTCP_FIXTURES.rrSdesBye, 0x41, 0x30), 'truncated'], // SDES item longer than its packet
      [withByte(RTCP_FIXTURES.rrXr, 0x12, 0x20), 'truncated'], // XR block longer than its packet
      [reportBlocks(65_507 - HEP_OVERHEAD), 'too_large'], // the largest UDP datagram: 2,700 report blocks
    ];
    // Every cut of every fixture that is not at a packet boundary, with the reason the decoder gives it.
    for (const b of Object.values(RTCP_FIXTURES)) {
      const boundaries = new Set<number>();
      for (let o = 0; o < b.length; o += (b.readUInt16BE(o + 2) + 1) * 4) boundaries.add(o);
      for (let n = 1; n < b.length; n++) {
        if (boundaries.has(n)) continue;
        const r = decodeRtcp(b.subarray(0, n));
        if (r.ok) throw new Error(`a cut at ${n} decodes`);
        bad.push([b.subarray(0, n), r.reason]);
      }
    }
    const valid = Object.values(RTCP_FIXTURES);
    const udp = await udpClient(port);
    let usec = 0;
    let validSent = 0;
    try {
      for (let i = 0; i < bad.length; i++) {
        await udp.send(hep(bad[i][0], usec++));
        if (i % 10 === 0) {
          await udp.send(hep(valid[validSent % valid.length], usec++));
          validSent++;
        }
        if (i % 100 === 99) await sleep(5); // stay below the socket buffer
      }
    } finally {
      udp.close();
    }
    // The largest HEP3 packet there is (65,535 bytes), over TCP: 2,700 report blocks.
    const tcp = await tcpClient(port);
    const largest = reportBlocks(65_535 - HEP_OVERHEAD);
    expect(hep(largest, 0).length).toBeGreaterThan(65_500);
    await tcp.write(hep(largest, usec++));
    await tcp.write(hep(RTCP_FIXTURES.srSdes, usec));
    validSent++;
    await tcp.end();
    bad.push([largest, 'too_large']);

    const want = new Map<RtcpErrorReason, number>();
    for (const [, reason] of bad) want.set(reason, (want.get(reason) ?? 0) + 1);
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          RTCP_ERROR_REASONS.map(async (r) => [r, await agent.metric('sipcap_reports_dropped_total', `{reason="rtcp_${r}"}`)] as const),
        ),
      );
    {
      await waitFor(
        `${bad.length} dropped and ${validSent} published`,
        async () => {
          const dropped = Object.values(await counts()).reduce((a, b) => a + b, 0);
          const published = await agent.metric('sipcap_reports_published_total', '{kind="rtcp"}');
          return dropped >= bad.length && published >= validSent ? true : undefined;
        },
        30_000,
        200,
      );
      expect(await counts()).toEqual(Object.fromEntries(RTCP_ERROR_REASONS.map((r) => [r, want.get(r) ?? 0])));
      expect(
        ['truncated', 'bad_length', 'bad_padding', 'too_large', 'too_short'].every((r) => (want.get(r as RtcpErrorReason) ?? 0) > 0),
      ).toBe(true);
      expect(await agent.metric('sipcap_reports_published_total', '{kind="rtcp"}')).toBe(validSent);
      expect(await healthStatus(await agent.metricsPort())).toBe(200);
      expect(agent.child.exitCode).toBeNull();
    }
  });
});
