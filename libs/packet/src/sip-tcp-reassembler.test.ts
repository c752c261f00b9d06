import { describe, expect, it } from 'vitest';
import { TcpFlag } from './decoded-packet';
import { SipTcpReassembler, type TcpSegment } from './sip-tcp-reassembler';
import * as t from './testing/index';

const ISN = 1000;
const m1 = t.sipRequest({ callId: 'one', body: t.sdpBody(400) });
const m2 = t.sipReply({ callId: 'two' });
const m3 = t.sipRequest({ method: 'BYE', callId: 'three' });

function seg(
  seq: number,
  payload: Buffer | string = '',
  flags: number = TcpFlag.ACK | TcpFlag.PSH,
  extra: Partial<TcpSegment> = {},
): TcpSegment {
  return {
    srcIp: '192.0.2.1',
    dstIp: '192.0.2.2',
    srcPort: 40000,
    dstPort: 5060,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    tcp: { seq: seq >>> 0, ack: 0, flags },
    ...extra,
  };
}

/** A stream opened by a SYN with initial sequence number `isn`; data starts at isn + 1. */
function opened(r: SipTcpReassembler, isn = ISN, extra: Partial<TcpSegment> = {}) {
  expect(r.push(seg(isn, '', TcpFlag.SYN, extra), 0n)).toEqual([]);
}

/** Pushes `data` in pieces at the given cut points, in order, returning all messages as text. */
function pushPieces(r: SipTcpReassembler, data: Buffer, cuts: number[], start = ISN + 1, ts = 1n): string[] {
  const bounds = [0, ...cuts, data.length];
  const out: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    for (const m of r.push(seg(start + bounds[i], data.subarray(bounds[i], bounds[i + 1])), ts)) out.push(m.toString('latin1'));
  }
  return out;
}

const text = (...b: Buffer[]) => b.map((x) => x.toString('latin1'));

describe('SipTcpReassembler', () => {
  it('joins a message split over several segments', () => {
    const r = new SipTcpReassembler();
    opened(r);
    expect(pushPieces(r, m1, [10, 200, 201])).toEqual(text(m1));
    expect(r.counters.messages).toBe(1);
    expect(r.bufferedBytes).toBe(0);
  });

  it('splits several messages in one segment, keeping the start of the next', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const data = Buffer.concat([m1, m2, m3]);
    expect(pushPieces(r, data, [m1.length + m2.length + 20])).toEqual(text(m1, m2, m3));
  });

  it('delivers each message once when fed one byte at a time', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const data = Buffer.concat([m2, m3]);
    expect(
      pushPieces(
        r,
        data,
        Array.from({ length: data.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(text(m2, m3));
  });

  it('frames by the compact l: header, and by 0 when Content-Length is missing', () => {
    const compact = t.sipRequest({ compactLength: true, body: 'abc' });
    const missing = t.sipRequest({ noLength: true, method: 'OPTIONS' });
    const r = new SipTcpReassembler();
    opened(r);
    expect(pushPieces(r, Buffer.concat([compact, missing, m3]), [])).toEqual(text(compact, missing, m3));
    expect(r.counters.missingContentLength).toBe(1);
  });

  it('drops retransmitted segments and the already-seen part of overlapping ones', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const data = Buffer.concat([m1, m2]);
    const out: string[] = [];
    const s = ISN + 1;
    const push = (from: number, to: number) =>
      out.push(...r.push(seg(s + from, data.subarray(from, to)), 1n).map((m) => m.toString('latin1')));
    push(0, 100);
    push(0, 100); // exact retransmission
    push(50, 300); // overlaps 50 bytes already held
    push(300, m1.length);
    push(0, m1.length); // retransmission of a delivered message
    push(m1.length, data.length);
    expect(out).toEqual(text(m1, m2));
    expect(r.counters.retransmissions).toBe(3);
  });

  it('puts out-of-order segments back in order', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const data = Buffer.concat([m1, m2]);
    const s = ISN + 1;
    const a = data.subarray(0, 300);
    const b = data.subarray(300, 600);
    const c = data.subarray(600);
    expect(r.push(seg(s + 600, c), 1n)).toEqual([]);
    expect(r.push(seg(s + 300, b), 1n)).toEqual([]);
    expect(r.push(seg(s + 300, b), 1n)).toEqual([]); // a held segment retransmitted
    expect(text(...r.push(seg(s, a), 1n))).toEqual(text(m1, m2));
    expect(r.counters.outOfOrder).toBe(2);
    expect(r.bufferedBytes).toBe(0);
  });

  it('gives up on a gap when too many segments wait behind it, and resyncs at the next message', () => {
    const r = new SipTcpReassembler({ maxOutOfOrderSegments: 2 });
    opened(r);
    const data = Buffer.concat([m1, m2, m3]);
    const s = ISN + 1;
    expect(r.push(seg(s, data.subarray(0, 100)), 1n)).toEqual([]);
    // Bytes 100..200 are lost to the capture; the rest arrives in 3 segments.
    const out: Buffer[] = [];
    out.push(...r.push(seg(s + 200, data.subarray(200, 400)), 1n));
    out.push(...r.push(seg(s + 400, data.subarray(400, m1.length + 50)), 1n));
    out.push(...r.push(seg(s + m1.length + 50, data.subarray(m1.length + 50)), 1n));
    expect(text(...out)).toEqual(text(m2, m3));
    expect(r.counters.gaps).toBe(1);
  });

  it('joins a stream in the middle of a message (no SYN seen) at the next start line', () => {
    const r = new SipTcpReassembler();
    const data = Buffer.concat([m1.subarray(150), m2, m3]);
    const out = pushPieces(r, data, [30, 400], 5_000_000);
    expect(out).toEqual(text(m2, m3));
    expect(r.counters.resyncBytes).toBe(m1.length - 150);
  });

  it('takes a segment that starts with a start line as the start of a message, without a SYN', () => {
    const r = new SipTcpReassembler();
    expect(pushPieces(r, Buffer.concat([m2, m3]), [], 77)).toEqual(text(m2, m3));
  });

  it('skips CRLF keep-alives between messages and on their own', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const data = Buffer.concat([Buffer.from('\r\n\r\n'), m2, Buffer.from('\r\n\r\n'), Buffer.from('\r\n'), m3, Buffer.from('\r\n\r\n')]);
    expect(pushPieces(r, data, [2, 4 + m2.length + 2])).toEqual(text(m2, m3));
    expect(r.counters.keepalives).toBeGreaterThanOrEqual(3);
    expect(r.bufferedBytes).toBe(0);
  });

  it('skips a message larger than maxMessageBytes by its Content-Length and keeps the next', () => {
    const big = t.sipRequest({ callId: 'big', body: 'x'.repeat(5000) });
    const r = new SipTcpReassembler({ maxMessageBytes: 2048 });
    opened(r);
    const data = Buffer.concat([big, m2]);
    expect(pushPieces(r, data, [1000, 2000, 3000, 4000])).toEqual(text(m2));
    expect(r.counters.oversize).toBe(1);
    expect(r.bufferedBytes).toBe(0);
  });

  it('skips a message whose Content-Length does not parse, resyncing at the next start line', () => {
    const bad = Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: many\r\n\r\nbody line\r\n');
    const r = new SipTcpReassembler();
    opened(r);
    expect(pushPieces(r, Buffer.concat([bad, m2]), [])).toEqual(text(m2));
    expect(r.counters.badContentLength).toBe(1);
  });

  it('keeps nothing of a stream that is not SIP beyond its last line', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const http = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(100) + 'partial line');
    expect(pushPieces(r, http, [1000, 2000])).toEqual([]);
    expect(r.bufferedBytes).toBeLessThan(4096 + 100);
  });

  it('follows sequence numbers across the 32-bit wrap', () => {
    const r = new SipTcpReassembler();
    opened(r, 0xffffff00);
    expect(pushPieces(r, Buffer.concat([m1, m2]), [200, 300], 0xffffff01)).toEqual(text(m1, m2));
  });

  it('emits the data of a FIN segment and forgets the stream; RST drops a pending message', () => {
    const r = new SipTcpReassembler();
    opened(r);
    expect(text(...r.push(seg(ISN + 1, m2, TcpFlag.ACK | TcpFlag.FIN), 1n))).toEqual(text(m2));
    expect(r.streamCount).toBe(0);
    expect(r.counters.streamsClosed).toBe(1);

    opened(r);
    r.push(seg(ISN + 1, m1.subarray(0, 100)), 1n);
    expect(r.bufferedBytes).toBeGreaterThan(0);
    expect(r.push(seg(ISN + 101, '', TcpFlag.RST), 1n)).toEqual([]);
    expect(r.streamCount).toBe(0);
    expect(r.bufferedBytes).toBe(0);
  });

  it('ignores bare ACKs and FINs of streams it does not track', () => {
    const r = new SipTcpReassembler();
    expect(r.push(seg(5), 1n)).toEqual([]);
    expect(r.push(seg(5, '', TcpFlag.FIN | TcpFlag.ACK), 1n)).toEqual([]);
    expect(r.streamCount).toBe(0);
  });

  it('forgets idle streams after the idle timeout (packet time)', () => {
    const r = new SipTcpReassembler({ idleTimeoutMicros: 10_000_000 });
    opened(r);
    r.push(seg(ISN + 1, m1.subarray(0, 50)), 1_000_000n);
    expect(r.expire(10_999_999n)).toBe(0);
    expect(r.expire(11_000_000n)).toBe(1);
    expect(r.streamCount).toBe(0);
    expect(r.bufferedBytes).toBe(0);
    expect(r.counters.streamsTimedOut).toBe(1);
  });

  it('stays within maxTotalBytes by dropping the least recently active streams', () => {
    const r = new SipTcpReassembler({ maxTotalBytes: 20_000 });
    for (let i = 0; i < 10; i++) {
      const port = { srcPort: 40000 + i };
      opened(r, ISN, port);
      r.push(seg(ISN + 1, m1.subarray(0, 100), TcpFlag.ACK, port), BigInt(i));
    }
    expect(r.bufferedBytes).toBeLessThanOrEqual(20_000);
    expect(r.counters.streamsEvicted).toBeGreaterThan(0);
    // The most recent stream survived and completes.
    expect(text(...r.push(seg(ISN + 101, m1.subarray(100), TcpFlag.ACK, { srcPort: 40009 }), 20n))).toEqual(text(m1));
  });

  it('stays within maxStreams', () => {
    const r = new SipTcpReassembler({ maxStreams: 3 });
    for (let i = 0; i < 5; i++) opened(r, ISN, { srcPort: 1000 + i });
    expect(r.streamCount).toBe(3);
    expect(r.counters.streamsEvicted).toBe(2);
  });

  it('keeps the two directions and different VLANs apart', () => {
    const r = new SipTcpReassembler();
    opened(r);
    opened(r, ISN, { vlans: [7] });
    r.push(seg(ISN + 1, m1.subarray(0, 100)), 1n);
    expect(r.push(seg(ISN + 1, m1.subarray(100), TcpFlag.ACK, { vlans: [7] }), 1n)).toEqual([]);
    expect(text(...r.push(seg(ISN + 101, m1.subarray(100)), 1n))).toEqual(text(m1));
    const reverse = { srcIp: '192.0.2.2', dstIp: '192.0.2.1', srcPort: 5060, dstPort: 40000 };
    expect(text(...r.push(seg(9, m2, TcpFlag.ACK, reverse), 1n))).toEqual(text(m2));
  });

  it('returns copies that survive the reuse of the capture buffer', () => {
    const r = new SipTcpReassembler();
    opened(r);
    const data = Buffer.from(m2);
    const [msg] = r.push(seg(ISN + 1, data), 1n);
    data.fill(0);
    expect(msg.toString('latin1')).toBe(m2.toString('latin1'));
  });
});

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SipTcpReassembler under random segmentation', () => {
  it('delivers every message exactly once despite random cuts, duplicates and local reordering', () => {
    const next = random(7);
    const messages = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? t.sipReply({ callId: `c${i}`, body: 'x'.repeat(Math.floor(next() * 900)) })
        : t.sipRequest({ callId: `c${i}`, compactLength: i % 2 === 0, body: t.sdpBody(Math.floor(next() * 1500)) }),
    );
    const stream = Buffer.concat(messages.flatMap((m, i) => (i % 5 === 4 ? [m, Buffer.from('\r\n\r\n')] : [m])));
    let reordered = 0;
    let duplicated = 0;
    for (let round = 0; round < 20; round++) {
      const isn = Math.floor(next() * 0xffffffff);
      const segments: { seq: number; data: Buffer }[] = [];
      for (let off = 0; off < stream.length;) {
        const size = 1 + Math.floor(next() * 1400);
        segments.push({ seq: (isn + 1 + off) >>> 0, data: stream.subarray(off, off + size) });
        off += size;
      }
      // Duplicate some segments and swap some neighbours (within what maxOutOfOrderSegments holds).
      const wire: typeof segments = [];
      for (const s of segments) {
        wire.push(s);
        if (next() < 0.1) wire.push(s);
      }
      for (let i = 0; i + 1 < wire.length; i++) {
        if (next() < 0.2) [wire[i], wire[i + 1]] = [wire[i + 1], wire[i]];
      }
      const r = new SipTcpReassembler();
      r.push(seg(isn, '', TcpFlag.SYN), 0n);
      const out = wire.flatMap((s) => r.push(seg(s.seq, s.data), 1n));
      expect(text(...out)).toEqual(text(...messages));
      expect(r.counters.gaps).toBe(0);
      reordered += r.counters.outOfOrder;
      duplicated += r.counters.retransmissions;
    }
    expect(reordered).toBeGreaterThan(0);
    expect(duplicated).toBeGreaterThan(0);
  });

  it('never throws and stays within its bounds on random segments of random streams', () => {
    const next = random(99);
    const r = new SipTcpReassembler({ maxStreams: 8, maxTotalBytes: 200_000, maxMessageBytes: 4096, maxStreamBytes: 16_384 });
    const pieces = [
      t.sipRequest({ body: t.sdpBody(3000) }),
      t.sipReply(),
      Buffer.from('\r\n\r\n'),
      Buffer.from('garbage line\r\n'),
      Buffer.from('Content-Length: 99999\r\n\r\n'),
    ];
    for (let i = 0; i < 20000; i++) {
      const p = pieces[Math.floor(next() * pieces.length)];
      const from = Math.floor(next() * p.length);
      const data = p.subarray(from, from + Math.floor(next() * 2000));
      const flags = next() < 0.02 ? TcpFlag.SYN : next() < 0.02 ? TcpFlag.FIN : next() < 0.01 ? TcpFlag.RST : TcpFlag.ACK;
      const s = seg(Math.floor(next() * 40000), data, flags, { srcPort: 1 + Math.floor(next() * 12) });
      for (const m of r.push(s, BigInt(i) * 1000n)) expect(m.length).toBeLessThanOrEqual(4096);
      expect(r.streamCount).toBeLessThanOrEqual(8);
      expect(r.bufferedBytes).toBeLessThanOrEqual(200_000);
      expect(r.bufferedBytes).toBeGreaterThanOrEqual(0);
    }
  });
});
