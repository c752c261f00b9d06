import { describe, expect, it } from 'vitest';
import { COLUMNS } from './capture-record';
import { decodeRecord, encodeRecord, STRING_COLUMNS } from './kafka-codec';
import { sampleRecord } from './sample-record';

describe('record Kafka codec', () => {
  it('round-trips every column', () => {
    const r = sampleRecord({ expires: 3600, contact_port: 5070, originator_ip: '2001:db8::1', originator_port: 5080, proto: 2, family: 10, type: 2, micro_ts: 1_800_000_000_000_001n });
    const d = decodeRecord(encodeRecord(r));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    for (const c of COLUMNS) expect(d.record[c], c).toEqual(r[c]);
  });

  it('covers every column except the fixed ones as a string', () => {
    expect(STRING_COLUMNS.length + 10).toBe(COLUMNS.length);
  });

  it('keeps msg bytes exactly, also when they are not UTF-8', () => {
    const msg = Buffer.concat([Buffer.from('MESSAGE sip:a@b SIP/2.0\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80])]);
    const d = decodeRecord(encodeRecord(sampleRecord({ msg })));
    expect(d.ok && d.record.msg.equals(msg)).toBe(true);
  });

  it('keeps non-ASCII and hostile header text', () => {
    const r = sampleRecord({ from_user: 'Jürgen ☎ 😀', user_agent: `'; DROP TABLE sip_capture; --\\\t"`, reason: 'a\u0000b' });
    const d = decodeRecord(encodeRecord(r));
    expect(d.ok && [d.record.from_user, d.record.user_agent, d.record.reason]).toEqual([r.from_user, r.user_agent, r.reason]);
  });

  it('encodes a large message (64 KiB) without corrupting the next encode', () => {
    const big = sampleRecord({ msg: Buffer.alloc(400_000, 0x41) });
    const small = sampleRecord();
    const eb = encodeRecord(big);
    const es = encodeRecord(small);
    expect(decodeRecord(eb).ok && decodeRecord(es).ok).toBe(true);
    const d = decodeRecord(eb);
    expect(d.ok && d.record.msg.length).toBe(400_000);
  });

  it('rejects an unknown version and every truncation, never throwing', () => {
    const e = encodeRecord(sampleRecord());
    const bad = Buffer.from(e);
    bad[0] = 9;
    expect(decodeRecord(bad)).toMatchObject({ ok: false, reason: 'unknown_version' });
    for (let i = 0; i < e.length; i++) expect(decodeRecord(e.subarray(0, i)).ok).toBe(false);
  });
});
