import { describe, expect, it } from 'vitest';
import { parsePortRange, portRangeFilter } from './port-range';

describe('parsePortRange', () => {
  it('parses a single port and a range', () => {
    expect(parsePortRange('5060')).toEqual({ ok: true, range: { from: 5060, to: 5060 } });
    expect(parsePortRange('5060-5090')).toEqual({ ok: true, range: { from: 5060, to: 5090 } });
    expect(parsePortRange(' 1 - 65535 ')).toEqual({ ok: true, range: { from: 1, to: 65535 } });
  });

  it('rejects bad text with a message', () => {
    for (const bad of ['', '0', '65536', 'sip', '5060-', '-5060', '5060-5050', '50 60', '1e3', '5060-5070-5080']) {
      const r = parsePortRange(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toContain(bad);
    }
  });
});

describe('portRangeFilter', () => {
  it('keeps a packet when either port is in the range, bounds included', () => {
    const keep = portRangeFilter({ from: 5060, to: 5062 });
    expect(keep(5060, 1)).toBe(true);
    expect(keep(1, 5062)).toBe(true);
    expect(keep(5059, 5063)).toBe(false);
  });
});
