// The page's pure ladder logic (apps/web/page/ladder-layout.ts, format.ts), tested here because the
// unit project collects tests under src/.
import { describe, expect, it } from 'vitest';
import { offsetText, messageLabel } from '../page/format';
import { DEFAULT_GEOMETRY, layoutLadder, type LadderInput } from '../page/ladder-layout';

const msg = (over: Partial<LadderInput>): LadderInput => ({
  micro_ts: '1736935200000000',
  source_ip: '10.0.0.1',
  source_port: 5060,
  destination_ip: '10.0.0.2',
  destination_port: 5060,
  method: 'INVITE',
  reply_reason: '',
  type: 1,
  callid: 'a',
  ...over,
});

describe('layoutLadder', () => {
  const messages = [
    msg({}),
    msg({
      micro_ts: '1736935200010000',
      source_ip: '10.0.0.2',
      destination_ip: '10.0.0.1',
      method: '100',
      reply_reason: 'Trying',
      type: 2,
    }),
    msg({ micro_ts: '1736935200123456', source_ip: '10.0.0.2', destination_ip: '2001:db8::3', callid: 'b' }),
    msg({ micro_ts: '1736935201500000', source_ip: '2001:db8::3', destination_ip: '2001:db8::3', callid: 'b' }),
  ];
  const layout = layoutLadder(messages);

  it('has one column per IP:port in order of first appearance', () => {
    expect(layout.columns.map((c) => c.endpoint)).toEqual(['10.0.0.1:5060', '10.0.0.2:5060', '[2001:db8::3]:5060']);
    const xs = layout.columns.map((c) => c.x);
    expect(xs[1] - xs[0]).toBe(layout.columnWidth);
    expect(xs[2] - xs[1]).toBe(layout.columnWidth);
  });

  it('draws one arrow per message from its source column to its destination column, in time order', () => {
    expect(layout.arrows.map((a) => [a.fromCol, a.toCol])).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
      [2, 2],
    ]);
    for (const a of layout.arrows) {
      expect(a.x1).toBe(layout.columns[a.fromCol].x);
      expect(a.x2).toBe(layout.columns[a.toCol].x);
    }
    const ys = layout.arrows.map((a) => a.y);
    expect(ys).toEqual([...ys].sort((p, q) => p - q));
    expect(new Set(ys).size).toBe(4);
  });

  it('labels each arrow with the method or status and the time since the first message, and numbers legs', () => {
    expect(layout.arrows.map((a) => `${a.label} ${a.offset}`)).toEqual([
      'INVITE +0.000 s',
      '100 Trying +0.010 s',
      'INVITE +0.123 s',
      'INVITE +1.500 s',
    ]);
    expect(layout.arrows.map((a) => a.leg)).toEqual([0, 0, 1, 1]);
    expect(layout.legs).toEqual(['a', 'b']);
  });

  it('widens the columns for a long IPv6 address', () => {
    const wide = layoutLadder([msg({ source_ip: '2001:db8:1234:5678:9abc:def0:1234:5678' })]);
    expect(wide.columnWidth).toBeGreaterThan(DEFAULT_GEOMETRY.columnWidth);
  });
});

describe('format', () => {
  it('rounds offsets to milliseconds', () => {
    expect(offsetText(1_000_999_500n, 1_000_000_000n)).toBe('+1.000 s');
    expect(offsetText(1_000_000_000n, 1_000_000_000n)).toBe('+0.000 s');
    expect(offsetText(61_234_567n, 0n)).toBe('+61.235 s');
  });
  it('labels replies with their reason', () => {
    expect(messageLabel({ method: '486', reply_reason: 'Busy Here', type: 2 })).toBe('486 Busy Here');
    expect(messageLabel({ method: 'BYE', reply_reason: '', type: 1 })).toBe('BYE');
  });
});
