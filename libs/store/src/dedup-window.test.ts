import { describe, expect, it } from 'vitest';
import { DedupWindow, messageKey } from './dedup-window';

const msg = (s: string) => Buffer.from(s);
const MS = 1000;

describe('DedupWindow', () => {
  it('keeps the first copy of a message and drops the others within the window', () => {
    const w = new DedupWindow(200 * MS, 1000);
    const t = 1_764_000_000_000_000;
    expect(w.isCopy(msg('INVITE a'), t)).toBe(false);
    expect(w.isCopy(msg('INVITE a'), t + 3 * MS)).toBe(true); // the second capture point
    expect(w.isCopy(msg('INVITE a'), t - 1 * MS)).toBe(true); // arrives first from a slower agent clock
    expect(w.isCopy(msg('INVITE b'), t + 3 * MS)).toBe(false);
  });

  it('keeps a byte-identical message outside the window (a retransmission after T1)', () => {
    const w = new DedupWindow(200 * MS, 1000);
    const t = 1_764_000_000_000_000;
    expect(w.isCopy(msg('INVITE a'), t)).toBe(false);
    expect(w.isCopy(msg('INVITE a'), t + 500 * MS)).toBe(false);
    expect(w.isCopy(msg('INVITE a'), t + 600 * MS)).toBe(true); // copy of the retransmission
  });

  it('forgets what is older than the window and bounds its keys', () => {
    const w = new DedupWindow(200 * MS, 3);
    const t = 1_764_000_000_000_000;
    for (let i = 0; i < 10; i++) w.isCopy(msg(`m${i}`), t + i);
    expect(w.size).toBe(3);
    w.isCopy(msg('late'), t + 10_000 * MS);
    expect(w.size).toBe(1);
  });

  it('is restored from its snapshot exactly, and starts empty from a damaged one', () => {
    const t = 1_764_000_000_000_000;
    const w = new DedupWindow(200 * MS, 1000);
    w.isCopy(msg('a'), t);
    w.isCopy(msg('b'), t + 10 * MS);
    const r = DedupWindow.restore(200 * MS, 1000, w.snapshot());
    expect(r.isCopy(msg('a'), t + 50 * MS)).toBe(true);
    expect(r.isCopy(msg('b'), t + 50 * MS)).toBe(true);
    expect(r.isCopy(msg('c'), t + 50 * MS)).toBe(false);
    expect(DedupWindow.restore(200 * MS, 1000, Buffer.alloc(7)).size).toBe(0);
  });

  it('hashes bytes, not text: one changed byte is another key', () => {
    expect(messageKey(msg('SIP/2.0 200 OK'))).toBe(messageKey(msg('SIP/2.0 200 OK')));
    expect(messageKey(msg('SIP/2.0 200 OK'))).not.toBe(messageKey(msg('SIP/2.0 200 Ok')));
    expect(Number.isSafeInteger(messageKey(msg('x'.repeat(1000))))).toBe(true);
  });
});
