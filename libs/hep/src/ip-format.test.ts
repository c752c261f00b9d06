import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from './ip-format';
import { parseIpv6 } from './ip-parse';
import { prng } from './test-fixtures';

function v6(text: string): Buffer {
  const b = Buffer.alloc(16);
  if (!parseIpv6(text, b, 0)) throw new Error(`bad fixture ${text}`);
  return b;
}

describe('formatIpv4', () => {
  it('writes a dotted quad at an offset', () => {
    expect(formatIpv4(Buffer.from([9, 192, 0, 2, 255, 9]), 1)).toBe('192.0.2.255');
    expect(formatIpv4(Buffer.from([0, 0, 0, 0]), 0)).toBe('0.0.0.0');
    expect(formatIpv4(Buffer.from([10, 100, 7, 1]), 0)).toBe('10.100.7.1');
  });

  it('stays right for many addresses sharing its cache slots (seeded)', () => {
    const rand = prng(1234);
    // A few hot addresses, repeated between many random ones that evict them.
    const hot = [
      [10, 0, 0, 1],
      [255, 255, 255, 255],
      [0, 0, 0, 0],
      [192, 168, 0, 1],
    ];
    for (let i = 0; i < 20_000; i++) {
      const bytes = i % 3 === 0 ? hot[i % hot.length] : Array.from({ length: 4 }, () => Math.floor(rand() * 256));
      expect(formatIpv4(Buffer.from(bytes), 0)).toBe(bytes.join('.'));
    }
  });
});

describe('formatIpv6 (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // 4.1 leading zeros, 4.2.1 shortest
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // 4.2.2 one zero group is not ::
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // 4.2.3 longest run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // 4.2.3 first of equal runs
    ['2001:DB8::ABCD', '2001:db8::abcd'], // 4.3 lowercase
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['0:1:2:3:4:5:6:7', '0:1:2:3:4:5:6:7'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['00ff:0f00:f000:000f:0:0:0:10', 'ff:f00:f000:f::10'],
    ['::ffff:192.0.2.128', '::ffff:192.0.2.128'], // 5 IPv4-mapped
    ['0:0:0:0:0:ffff:c000:0280', '::ffff:192.0.2.128'],
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['::192.0.2.128', '::c000:280'], // IPv4-compatible is deprecated: plain hex
    ['::1:ffff:c000:280', '::1:ffff:c000:280'], // not mapped: a non-zero group before ffff
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      expect(formatIpv6(v6(input), 0)).toBe(expected);
    });
  }

  it('stays right for many addresses sharing its cache slots (seeded)', () => {
    const rand = prng(77);
    const hot = [v6('2001:db8::1'), v6('::'), v6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), v6('::ffff:10.0.0.1')];
    const hotText = ['2001:db8::1', '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::ffff:10.0.0.1'];
    for (let i = 0; i < 10_000; i++) {
      if (i % 3 === 0) {
        expect(formatIpv6(hot[i % 4], 0)).toBe(hotText[i % 4]);
        continue;
      }
      // Random addresses differing from each other in one word only, to stress the key compare.
      const b = Buffer.from(hot[0]);
      b.writeUInt32BE(Math.floor(rand() * 0x100000000), 4 * (i % 4));
      const groups = Array.from({ length: 8 }, (_, g) => b.readUInt16BE(g * 2).toString(16)).join(':');
      expect(formatIpv6(b, 0)).toBe(new URL(`http://[${groups}]/`).hostname.slice(1, -1));
    }
  });

  it('reads at an offset', () => {
    const b = Buffer.concat([Buffer.from([0xaa, 0xbb]), v6('2001:db8::7')]);
    expect(formatIpv6(b, 2)).toBe('2001:db8::7');
  });

  it('agrees with the WHATWG URL serializer on random addresses with zero runs', () => {
    const rand = prng(5952);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.alloc(16);
      // Groups are zero half of the time so runs of every length and position occur.
      for (let g = 0; g < 8; g++) if (rand() < 0.5) b.writeUInt16BE(Math.floor(rand() * 0x10000), g * 2);
      if (b.readUInt16BE(10) === 0xffff && b.subarray(0, 10).every((x) => x === 0)) continue; // URL writes mapped as hex
      const groups = Array.from({ length: 8 }, (_, g) => b.readUInt16BE(g * 2).toString(16)).join(':');
      const expected = new URL(`http://[${groups}]/`).hostname.slice(1, -1);
      expect(formatIpv6(b, 0)).toBe(expected);
    }
  });
});
