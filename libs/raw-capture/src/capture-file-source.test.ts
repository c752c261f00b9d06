import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LinkType, testing, writePcap } from '@sipcap/packet';
import { checkCaptureFile, replayCaptureFile } from './capture-file-source';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'raw-capture-'));

function pcapFile(name: string, count: number, stepMicros: bigint): string {
  const t0 = 1_700_000_000_000_000n;
  const records = Array.from({ length: count }, (_, i) => ({
    tsMicros: t0 + BigInt(i) * stepMicros,
    frame: testing.buildEthernetIpv4Udp({
      srcIp: '192.0.2.1',
      dstIp: '192.0.2.2',
      srcPort: 5060,
      dstPort: 5060,
      payload: testing.sipRequest({ callId: `c${i}` }),
    }),
  }));
  const path = join(dir, name);
  writeFileSync(path, writePcap(records));
  return path;
}

describe('replayCaptureFile', () => {
  it('hands on every frame in order with its link type and time, as fast as possible', async () => {
    const path = pcapFile('fast.pcap', 5000, 1_000_000n); // 5000 s of capture time
    const seen: number[] = [];
    const t = Date.now();
    const summary = await replayCaptureFile({
      path,
      pace: 'fast',
      log,
      onFrame: (lt, frame, ts) => {
        expect(lt).toBe(LinkType.ETHERNET);
        expect(frame.length).toBeGreaterThan(100);
        seen.push(ts);
      },
    });
    expect(Date.now() - t).toBeLessThan(5000);
    expect(summary).toMatchObject({ records: 5000, aborted: false, status: { ok: true, format: 'pcap' } });
    expect(seen[0]).toBe(1_700_000_000_000_000);
    expect(seen.every((v, i) => i === 0 || v > seen[i - 1])).toBe(true);
  });

  it('paces frames by their timestamps in realtime mode', async () => {
    const path = pcapFile('realtime.pcap', 4, 100_000n); // 300 ms from first to last
    const at: number[] = [];
    await replayCaptureFile({ path, pace: 'realtime', log, onFrame: () => at.push(Date.now()) });
    expect(at[3] - at[0]).toBeGreaterThanOrEqual(280);
    expect(at[3] - at[0]).toBeLessThan(1500);
  });

  it('waits for room when the consumers are full', async () => {
    const path = pcapFile('room.pcap', 10, 1n);
    let waits = 0;
    let n = 0;
    await replayCaptureFile({
      path,
      pace: 'fast',
      log,
      onFrame: () => n++,
      room: () =>
        n === 5 && waits === 0
          ? new Promise<void>((r) => {
              waits++;
              setTimeout(r, 20);
            })
          : undefined,
    });
    expect(waits).toBe(1);
    expect(n).toBe(10);
  });

  it('stops when aborted', async () => {
    const path = pcapFile('abort.pcap', 3, 10_000_000n); // 20 s in realtime
    const ac = new AbortController();
    let n = 0;
    setTimeout(() => ac.abort(), 100);
    const summary = await replayCaptureFile({ path, pace: 'realtime', log, signal: ac.signal, onFrame: () => n++ });
    expect(summary.aborted).toBe(true);
    expect(n).toBeLessThan(3);
  });

  it('reads pcapng too', async () => {
    const frame = testing.buildEthernetIpv4Udp({
      srcIp: '192.0.2.1',
      dstIp: '192.0.2.2',
      srcPort: 5060,
      dstPort: 5060,
      payload: testing.sipRequest(),
    });
    const path = join(dir, 'x.pcapng');
    writeFileSync(
      path,
      testing.buildPcapng({
        interfaces: [{ linktype: 1 }],
        packets: [
          { interfaceId: 0, ts: 1_700_000_000_000_000n, frame },
          { interfaceId: 0, ts: 1_700_000_000_000_001n, frame },
        ],
      }),
    );
    let n = 0;
    const summary = await replayCaptureFile({ path, pace: 'fast', log, onFrame: () => n++ });
    expect(n).toBe(2);
    expect(summary.status).toMatchObject({ ok: true, format: 'pcapng' });
  });
});

describe('checkCaptureFile', () => {
  it('accepts pcap files and refuses missing or foreign files with a clear error', async () => {
    await expect(checkCaptureFile(pcapFile('ok.pcap', 1, 1n))).resolves.toBeUndefined();
    await expect(checkCaptureFile(join(dir, 'missing.pcap'))).rejects.toThrow(/cannot read PCAP_FILE/);
    const text = join(dir, 'text.pcap');
    writeFileSync(text, 'hello, this is not a capture');
    await expect(checkCaptureFile(text)).rejects.toThrow(/not a pcap or pcapng file/);
  });
});
