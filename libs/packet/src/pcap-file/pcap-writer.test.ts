import { describe, expect, it } from 'vitest';
import { writePcap } from './pcap-writer';

describe('writePcap', () => {
  it('writes the libpcap header and records field by field (little-endian, microseconds)', () => {
    const frame = Buffer.from('0102030405', 'hex');
    const file = writePcap([{ tsMicros: 1700000000123456n, frame, originalLength: 60 }], { linktype: 101, snaplen: 65535 });
    expect(file.subarray(0, 24).toString('hex')).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '65000000');
    expect(file.readUInt32LE(24)).toBe(1700000000);
    expect(file.readUInt32LE(28)).toBe(123456);
    expect(file.readUInt32LE(32)).toBe(5);
    expect(file.readUInt32LE(36)).toBe(60);
    expect(file.subarray(40).equals(frame)).toBe(true);
    expect(file.length).toBe(24 + 16 + 5);
  });

  it('writes nanosecond fractions under the nanosecond magic', () => {
    const file = writePcap([{ tsMicros: 5_000_007n, frame: Buffer.alloc(1) }], { nanoseconds: true });
    expect(file.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(file.readUInt32LE(24)).toBe(5);
    expect(file.readUInt32LE(28)).toBe(7000);
  });
});
