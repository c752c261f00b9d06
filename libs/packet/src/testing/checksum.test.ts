import { describe, expect, it } from 'vitest';
import { internetChecksum } from './checksum';

describe('internetChecksum', () => {
  it('matches the RFC 1071 example (sum 0xddf2, checksum 0x220d)', () => {
    expect(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex'))).toBe(0x220d);
  });

  it('gives 0 over data that includes its own correct checksum', () => {
    // IPv4 header of the hand-written OPTIONS fixture (checksum 0x520a in place).
    expect(internetChecksum(Buffer.from('450000e61c4640004011520ac0a8010a0a000005', 'hex'))).toBe(0);
  });

  it('pads an odd length with a zero byte', () => {
    expect(internetChecksum(Buffer.from([0x01]))).toBe(internetChecksum(Buffer.from([0x01, 0x00])));
  });
});
