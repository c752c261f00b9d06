import { describe, expect, it } from 'vitest';
import { encodeHep3 } from './encode-hep3';
import { HepStreamReader, type HepStreamErrorReason } from './hep-stream-reader';
import { prng } from './test-fixtures';

function frames(count: number, seed = 1): Buffer[] {
  const rand = prng(seed);
  return Array.from({ length: count }, (_, i) =>
    encodeHep3({
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 5060,
      dstPort: 5060,
      captureId: i,
      payload: Buffer.alloc(1 + Math.floor(rand() * 3000), 65 + (i % 26)),
    }),
  );
}

function collect() {
  const got: Buffer[] = [];
  const errors: [HepStreamErrorReason, string][] = [];
  const reader = new HepStreamReader({
    onFrame: (f) => got.push(f),
    onError: (reason, message) => errors.push([reason, message]),
  });
  return { reader, got, errors };
}

/** Buffer-wise comparison: deep equality over thousands of bytes is too slow in a loop. */
function expectFrames(got: Buffer[], sent: Buffer[]): void {
  expect(got.length).toBe(sent.length);
  got.forEach((f, i) => expect(f.equals(sent[i]), `frame ${i}`).toBe(true));
}

describe('HepStreamReader', () => {
  it('hands out several frames of one read as views of that read', () => {
    const sent = frames(5);
    const chunk = Buffer.concat(sent);
    const { reader, got, errors } = collect();
    reader.push(chunk);
    expectFrames(got, sent);
    for (const f of got) expect(f.buffer).toBe(chunk.buffer);
    expect(errors).toEqual([]);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('reassembles frames split at every possible point', () => {
    const sent = frames(3, 2);
    const stream = Buffer.concat(sent);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const { reader, got, errors } = collect();
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      expectFrames(got, sent);
      expect(errors).toEqual([]);
    }
  });

  it('reassembles a stream delivered one byte at a time', () => {
    const sent = frames(4, 3);
    const stream = Buffer.concat(sent);
    const { reader, got } = collect();
    for (let i = 0; i < stream.length; i++) {
      reader.push(stream.subarray(i, i + 1));
      expect(reader.bufferedBytes).toBeLessThan(0x10000);
    }
    expectFrames(got, sent);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('reassembles random read sizes (seeded) and reports a partial frame left at the end', () => {
    const rand = prng(99);
    const sent = frames(200, 4);
    const tail = sent[0].subarray(0, 10);
    const stream = Buffer.concat([...sent, tail]);
    const { reader, got, errors } = collect();
    for (let off = 0; off < stream.length;) {
      const n = 1 + Math.floor(rand() * 9000);
      reader.push(stream.subarray(off, off + n));
      off += n;
    }
    expect(got.length).toBe(sent.length);
    expectFrames(got, sent);
    expect(errors).toEqual([]);
    expect(reader.bufferedBytes).toBe(10);
  });

  it('copies a split frame once, without growing copies of what is pending', () => {
    // 65535-byte frame in 1-byte reads: linear work means this finishes quickly.
    const big = encodeHep3({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(65_000, 1) });
    const { reader, got } = collect();
    const started = process.hrtime.bigint();
    for (let i = 0; i < big.length; i++) reader.push(big.subarray(i, i + 1));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(got.length).toBe(1);
    expect(got[0].equals(big)).toBe(true);
    expect(ms).toBeLessThan(2000);
  });

  it("holds one buffer of the frame's length once the header is known, and no read it was given", () => {
    const big = encodeHep3({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(3_000, 7) });
    const { reader, got } = collect();
    // Each read is a byte at the start of its own 4 KiB store, as a socket's reads can be; each store is
    // scribbled over after the push, so a kept reference would corrupt the frame.
    for (let i = 0; i < big.length; i++) {
      const store = Buffer.alloc(4096);
      store[0] = big[i];
      reader.push(store.subarray(0, 1));
      store.fill(0xee);
      if (i < 5)
        expect(reader.heldBytes).toBe(0); // the header is gathered in 6 bytes of its own
      else if (i < big.length - 1) expect(reader.heldBytes).toBe(big.length);
    }
    expect(got.length).toBe(1);
    expect(got[0].equals(big)).toBe(true);
    expect(reader.heldBytes).toBe(0);
  });

  it('takes frame buffers from a shared budget, gives them back, and fails a stream that does not fit', () => {
    let held = 0;
    const budget = { reserve: (n: number) => (held + n <= 3000 ? ((held += n), true) : false), release: (n: number) => void (held -= n) };
    const frame = encodeHep3({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payload: Buffer.alloc(2000, 7) });
    const errors: string[] = [];
    const got: Buffer[] = [];
    const a = new HepStreamReader({ onFrame: (f) => got.push(f), onError: (r) => errors.push(`a:${r}`) }, budget);
    const b = new HepStreamReader({ onFrame: (f) => got.push(f), onError: (r) => errors.push(`b:${r}`) }, budget);
    a.push(frame.subarray(0, 100));
    expect(held).toBe(frame.length);
    b.push(frame.subarray(0, 3)); // a header not yet complete holds nothing from the budget
    expect(errors).toEqual([]);
    b.push(frame.subarray(3, 100)); // a second frame would exceed 3000 bytes
    expect(errors).toEqual(['b:memory_budget']);
    expect(held).toBe(frame.length);
    a.push(frame.subarray(100));
    expect(got.length).toBe(1);
    expect(held).toBe(0);
    // A connection that goes away mid-frame gives its bytes back.
    a.push(frame.subarray(0, 50));
    expect(held).toBe(frame.length);
    a.close();
    expect(held).toBe(0);
    // Complete frames inside one read take nothing.
    const c = new HepStreamReader({ onFrame: (f) => got.push(f), onError: (r) => errors.push(`c:${r}`) }, budget);
    c.push(Buffer.concat([frame, frame]));
    expect(got.length).toBe(3);
    expect(held).toBe(0);
  });

  it('accepts EEP3 frames', () => {
    const f = frames(2, 5);
    f[1].write('EEP3', 0, 'latin1');
    const { reader, got, errors } = collect();
    reader.push(Buffer.concat(f));
    expect(got.length).toBe(2);
    expect(errors).toEqual([]);
  });

  it('fails a stream that does not start with HEP3/EEP3 and ignores it afterwards', () => {
    const { reader, got, errors } = collect();
    reader.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(errors.map((e) => e[0])).toEqual(['bad_magic']);
    expect(reader.hasFailed).toBe(true);
    reader.push(frames(1)[0]);
    expect(got).toEqual([]);
    expect(errors.length).toBe(1);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('detects bad magic when the header arrives in pieces', () => {
    const { reader, errors } = collect();
    reader.push(Buffer.from('HE'));
    reader.push(Buffer.from('P'));
    expect(errors).toEqual([]);
    reader.push(Buffer.from('4\x00\x20'));
    expect(errors.map((e) => e[0])).toEqual(['bad_magic']);
  });

  it('fails on a frame length below 6', () => {
    for (const length of [0, 5]) {
      const { reader, errors } = collect();
      const header = Buffer.from('HEP3\0\0', 'latin1');
      header.writeUInt16BE(length, 4);
      reader.push(header);
      expect(errors.map((e) => e[0])).toEqual(['bad_frame_length']);
    }
  });

  it('fails when garbage follows good frames, after handing out the good ones', () => {
    const sent = frames(2, 6);
    const { reader, got, errors } = collect();
    reader.push(Buffer.concat([sent[0], sent[1].subarray(0, 100)]));
    reader.push(Buffer.concat([sent[1].subarray(100), Buffer.from('garbage!')]));
    expectFrames(got, sent);
    expect(errors.map((e) => e[0])).toEqual(['bad_magic']);
  });

  it('stops when a frame handler fails the stream', () => {
    const got: Buffer[] = [];
    const reader: HepStreamReader = new HepStreamReader({
      onFrame: (f) => {
        got.push(f);
        reader.fail('bad_magic', 'owner gave up');
      },
      onError: () => {},
    });
    reader.push(Buffer.concat(frames(3, 7)));
    expect(got.length).toBe(1);
  });
});
