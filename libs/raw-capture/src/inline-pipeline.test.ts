import { describe, expect, it } from 'vitest';
import type { CapturedMessage } from '@sipcap/agent';
import { LinkType, testing } from '@sipcap/packet';
import { Registry } from 'prom-client';
import { InlinePipeline } from './inline-pipeline';
import { RawDecoder } from './raw-decoder';

const frame = (i: number) =>
  testing.buildEthernetIpv4Udp({
    srcIp: '192.0.2.1',
    dstIp: '192.0.2.2',
    srcPort: 5060,
    dstPort: 5060,
    payload: testing.sipRequest({ callId: `c${i}` }),
  });

describe('InlinePipeline', () => {
  it('decodes every pushed frame, in order, after the capture callback returned', async () => {
    const got: CapturedMessage[] = [];
    const p = new InlinePipeline(new RawDecoder(), { capture: (m) => got.push(m) }, { sliceMs: 1 });
    for (let i = 0; i < 500; i++) p.push(LinkType.ETHERNET, frame(i), 1000 + i);
    expect(got).toHaveLength(0); // nothing decoded inside the capture callback
    await p.drain();
    expect(got.map((m) => m.microTs)).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(1000 + i)));
    await p.close();
  });

  it('lets timers and I/O run between slices', async () => {
    // A callback that re-queues itself with setImmediate runs once per turn of the event loop. With
    // sliceMs 0 the pipeline stops every 32 frames: 640 frames take 20 slices, so 20 turns. (A timer
    // would count time, not turns: on a fast machine all slices fit in one millisecond.)
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    const p = new InlinePipeline(new RawDecoder(), { capture: () => undefined }, { sliceMs: 0 });
    for (let i = 0; i < 640; i++) p.push(LinkType.ETHERNET, frame(i), i);
    setImmediate(tick);
    await p.drain();
    ticking = false;
    expect(turns).toBeGreaterThanOrEqual(10);
    await p.close();
  });

  it('drops and counts frames beyond its backlog, and asks a file reader to wait', async () => {
    const got: CapturedMessage[] = [];
    // Two 1 MiB batches of backlog (plus the one being filled), frames of ~400 bytes: 20000 do not fit.
    const registry = new Registry();
    const p = new InlinePipeline(new RawDecoder(), { capture: (m) => got.push(m) }, { backlogBytes: 2 * 1024 * 1024, registry });
    const f = frame(0);
    for (let i = 0; i < 20000; i++) p.push(LinkType.ETHERNET, f, i);
    expect(p.room()).toBeInstanceOf(Promise);
    await p.drain();
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(20000);
    expect(await registry.metrics()).toContain(`sipcap_raw_backlog_dropped_total ${20000 - got.length}`);
    expect(p.room()).toBeUndefined();
    await p.close();
  });
});
