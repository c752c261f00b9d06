import { describe, expect, it } from 'vitest';
import { checkBindPolicy, isLoopbackHost } from './bind-policy';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1', '::2'])('%s is not', (h) =>
    expect(isLoopbackHost(h)).toBe(false),
  );
});

describe('checkBindPolicy', () => {
  it('runs without a token on loopback', () => {
    expect(checkBindPolicy('127.0.0.1', undefined)).toEqual({ ok: true, auth: false });
  });
  it('needs WEB_AUTH_TOKEN anywhere else, saying so in one line', () => {
    const r = checkBindPolicy('0.0.0.0', undefined);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('WEB_AUTH_TOKEN');
    expect(!r.ok && r.message).not.toContain('\n');
  });
  it('uses the token wherever it listens once one is set', () => {
    expect(checkBindPolicy('0.0.0.0', 'x'.repeat(16))).toEqual({ ok: true, auth: true });
    expect(checkBindPolicy('127.0.0.1', 'x'.repeat(16))).toEqual({ ok: true, auth: true });
  });
});
