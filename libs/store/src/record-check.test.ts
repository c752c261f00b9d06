import { describe, it, expect } from 'vitest';
import { sampleRecord, type CaptureRecord } from '@sipcap/record';
import { checkRecord } from './record-check';

describe('checkRecord', () => {
  it('accepts a complete record', () => {
    expect(checkRecord(sampleRecord())).toBeUndefined();
  });

  it.each([
    ['NaN port', { source_port: NaN }, /source_port/],
    ['fractional expires', { expires: 1.5 }, /expires/],
    ['proto beyond int32', { proto: 2 ** 31 }, /proto/],
    ['type as text', { type: '1' as unknown as number }, /type/],
    ['missing callid', { callid: undefined as unknown as string }, /callid/],
    ['negative micro_ts', { micro_ts: -1n }, /micro_ts/],
    ['micro_ts as number', { micro_ts: 1 as unknown as bigint }, /micro_ts/],
    ['micro_ts in year 10000', { micro_ts: 253_402_300_800_000_000n }, /micro_ts/],
    ['msg as text', { msg: 'INVITE' as unknown as Buffer }, /msg/],
  ] as [string, Partial<CaptureRecord>, RegExp][])('rejects %s', (_name, override, reason) => {
    expect(checkRecord(sampleRecord(override))).toMatch(reason);
  });
});
