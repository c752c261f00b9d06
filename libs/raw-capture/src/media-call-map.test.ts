import { describe, expect, it } from 'vitest';
import { MediaCallMap } from './media-call-map';

const S = 1_000_000n; // one second in microseconds
const T0 = 1_700_000_000n * S;
const stream = (ip: string, rtpPort: number) => ({ ip, rtpPort, rtcpPort: rtpPort + 1 });

describe('MediaCallMap', () => {
  it('finds the Call-ID of RTCP sent to or from an announced address, on the RTCP port and (rtcp-mux) the RTP port', () => {
    const m = new MediaCallMap({ maxItems: 100, maxBytes: 1 << 20, ttlMicros: 60n * S });
    m.learn({ callId: 'A', media: [stream('192.0.2.1', 4000)] }, T0);
    m.learn({ callId: 'A', media: [stream('198.51.100.2', 5000)] }, T0);
    expect(m.lookup('203.0.113.9', 9, '192.0.2.1', 4001, T0)).toBe('A'); // to the announced RTCP port
    expect(m.lookup('198.51.100.2', 5001, '203.0.113.9', 9, T0)).toBe('A'); // from it (symmetric)
    expect(m.lookup('203.0.113.9', 9, '192.0.2.1', 4000, T0)).toBe('A'); // multiplexed on the RTP port
    expect(m.lookup('203.0.113.9', 9, '192.0.2.1', 4002, T0)).toBeUndefined();
    expect(m.lookup('192.0.2.2', 4001, '203.0.113.9', 9, T0)).toBeUndefined();
    expect(m.size).toBe(4);
  });

  it('checks the destination before the source, and a later SDP for an address wins', () => {
    const m = new MediaCallMap({ maxItems: 100, maxBytes: 1 << 20, ttlMicros: 60n * S });
    m.learn({ callId: 'src-call', media: [stream('192.0.2.1', 4000)] }, T0);
    m.learn({ callId: 'dst-call', media: [stream('192.0.2.2', 6000)] }, T0);
    expect(m.lookup('192.0.2.1', 4001, '192.0.2.2', 6001, T0)).toBe('dst-call');
    m.learn({ callId: 'new-call', media: [stream('192.0.2.2', 6000)] }, T0 + S);
    expect(m.lookup('192.0.2.1', 4001, '192.0.2.2', 6001, T0 + S)).toBe('new-call');
    expect(m.size).toBe(4);
  });

  it('forgets an address ttl after it was last announced or matched', () => {
    const m = new MediaCallMap({ maxItems: 100, maxBytes: 1 << 20, ttlMicros: 10n * S });
    m.learn({ callId: 'kept', media: [stream('192.0.2.1', 4000)] }, T0);
    m.learn({ callId: 'idle', media: [stream('192.0.2.9', 8000)] }, T0);
    // RTCP every 5 s keeps the matched address alive well past the ttl.
    for (let t = 5n; t <= 30n; t += 5n) expect(m.lookup('203.0.113.9', 9, '192.0.2.1', 4001, T0 + t * S)).toBe('kept');
    expect(m.lookup('203.0.113.9', 9, '192.0.2.9', 8001, T0 + 30n * S)).toBeUndefined();
    expect(m.lookup('203.0.113.9', 9, '192.0.2.1', 4000, T0 + 30n * S)).toBeUndefined(); // the unused RTP port expired
    expect(m.counters.expired).toBe(3);
    m.expire(T0 + 41n * S);
    expect(m.size).toBe(0);
    expect(m.bytes).toBe(0);
  });

  it('holds at most maxItems addresses, least recently used out first', () => {
    const m = new MediaCallMap({ maxItems: 4, maxBytes: 1 << 20, ttlMicros: 60n * S });
    m.learn({ callId: 'one', media: [stream('192.0.2.1', 4000)] }, T0);
    m.learn({ callId: 'two', media: [stream('192.0.2.2', 4000)] }, T0);
    expect(m.lookup('x', 1, '192.0.2.1', 4001, T0)).toBe('one'); // now the most recently used
    m.learn({ callId: 'three', media: [stream('192.0.2.3', 4000)] }, T0);
    expect(m.size).toBe(4);
    expect(m.counters.evicted).toBe(2);
    // The two least recently used went: one's RTP port and two's RTP port (learned before one's RTCP port was matched).
    expect(m.lookup('x', 1, '192.0.2.1', 4000, T0)).toBeUndefined();
    expect(m.lookup('x', 1, '192.0.2.2', 4000, T0)).toBeUndefined();
    expect(m.lookup('x', 1, '192.0.2.1', 4001, T0)).toBe('one');
    expect(m.lookup('x', 1, '192.0.2.2', 4001, T0)).toBe('two');
    expect(m.lookup('x', 1, '192.0.2.3', 4001, T0)).toBe('three');
  });

  it('holds at most maxBytes, whatever the length of the Call-IDs, and never grows past either bound', () => {
    const maxBytes = 4096;
    const m = new MediaCallMap({ maxItems: 1_000_000, maxBytes, ttlMicros: 3600n * S });
    for (let i = 0; i < 5000; i++) {
      m.learn(
        { callId: `${'x'.repeat(i % 300)}-${i}`, media: [stream(`10.0.${i >> 8}.${i & 255}`, 2000 + (i % 1000) * 2)] },
        T0 + BigInt(i),
      );
      expect(m.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(m.size).toBeGreaterThan(0);
    expect(m.counters.evicted).toBe(m.counters.learned - m.size);
    // One entry larger than the whole budget is not kept (and evicts nothing).
    const before = m.size;
    m.learn({ callId: 'y'.repeat(maxBytes), media: [stream('10.9.9.9', 4000)] }, T0 + 10_000n);
    expect(m.size).toBe(before);
  });
});
