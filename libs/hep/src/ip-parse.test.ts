import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from './ip-format';
import { parseIp, parseIpv4, parseIpv6 } from './ip-parse';
import { prng } from './test-fixtures';

describe('parseIpv4', () => {
  it('parses dotted quads into bytes at an offset', () => {
    const out = Buffer.alloc(6);
    expect(parseIpv4('192.0.2.255', out, 1)).toBe(true);
    expect([...out]).toEqual([0, 192, 0, 2, 255, 0]);
  });

  const cases = [
    '1.2.3.4',
    '0.0.0.0',
    '255.255.255.255',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1..3.4',
    '1.2.3.4.',
    '.1.2.3',
    'a.b.c.d',
    '',
    ' 1.2.3.4',
    '1.2.3.-4',
    '10.0.0.10',
  ];
  for (const text of cases) {
    it(`accepts ${JSON.stringify(text)} exactly when node:net does`, () => {
      expect(parseIpv4(text, Buffer.alloc(4), 0)).toBe(isIPv4(text));
    });
  }
});

describe('parseIpv6', () => {
  const cases = [
    '::',
    '::1',
    '1::',
    '2001:db8::1',
    '2001:DB8:0:0:8:800:200C:417A',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '::ffff:192.0.2.1',
    '1:2:3:4:5:6:1.2.3.4',
    '1::1.2.3.4',
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    'g::',
    ':1::',
    '1:',
    '1::2:',
    '::1.2.3',
    '::1.2.3.4.5',
    '1.2.3.4::',
    '::ffff:256.1.1.1',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::ffff:1a.2.3.4',
    '',
    'fe80::1%eth0',
    '1::2::',
  ];
  for (const text of cases) {
    it(`accepts ${JSON.stringify(text)} exactly when node:net does`, () => {
      expect(parseIpv6(text, Buffer.alloc(16), 0)).toBe(isIPv6(text) && !text.includes('%'));
    });
  }

  it('round-trips with formatIpv6 on random addresses', () => {
    const rand = prng(4291);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(16);
      for (let g = 0; g < 8; g++) if (rand() < 0.6) b.writeUInt16BE(Math.floor(rand() * 0x10000), g * 2);
      const out = Buffer.alloc(16, 0xee); // dirty, so a gap left unwritten would show
      expect(parseIpv6(formatIpv6(b, 0), out, 0)).toBe(true);
      expect(out).toEqual(b);
    }
  });
});

describe('parseIp', () => {
  it('tells the family', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 2, bytes: Buffer.from([10, 1, 2, 3]) });
    const v6 = parseIp('2001:db8::1');
    expect(v6?.family).toBe(10);
    expect(formatIpv6(v6!.bytes, 0)).toBe('2001:db8::1');
    expect(formatIpv4(parseIp('0.0.0.0')!.bytes, 0)).toBe('0.0.0.0');
    expect(parseIp('example.com')).toBeUndefined();
  });
});
