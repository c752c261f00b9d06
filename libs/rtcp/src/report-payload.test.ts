import { describe, expect, it } from 'vitest';
import { jsonPayloadText, looksLikeJson, payloadText } from './report-payload';
import { RTCP_FIXTURES } from './test-fixtures';

describe('report payloads as text', () => {
  it('passes JSON through exactly as received', () => {
    const raw = ' {"type":200, "ssrc":1,"report_blocks":[]}\n';
    expect(jsonPayloadText(Buffer.from(raw))).toEqual({ ok: true, text: raw });
  });

  it('names what is not storable JSON text', () => {
    const reason = (b: Buffer) => {
      const r = jsonPayloadText(b);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(Buffer.alloc(0))).toBe('empty');
    expect(reason(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('not_utf8');
    expect(reason(Buffer.from('{"a":"\0"}'))).toBe('not_utf8');
    expect(reason(Buffer.from('{"a":'))).toBe('not_json');
    expect(reason(Buffer.from('{"a":1} trailing'))).toBe('not_json');
    expect(reason(Buffer.from('hello'))).toBe('not_json');
    expect(reason(Buffer.alloc(70_000, 0x20))).toBe('too_large');
  });

  it('keeps JSON-ish reports that are not strict JSON, as Kamailio does (a trailing comma)', () => {
    const raw = '{"sdes_information":[{"type":1,"text":"x"},],}';
    expect(jsonPayloadText(Buffer.from(raw))).toEqual({ ok: true, text: raw });
  });

  it('takes any UTF-8 log line', () => {
    expect(payloadText(Buffer.from('2026-12-02 WARNING: jitter buffer overrun — 12 ms'))).toMatchObject({ ok: true });
  });

  it('tells JSON RTCP from binary RTCP', () => {
    expect(looksLikeJson(Buffer.from('\n {"type":200}'))).toBe(true);
    for (const b of Object.values(RTCP_FIXTURES)) expect(looksLikeJson(b)).toBe(false);
  });
});
