import { describe, expect, it } from 'vitest';
import { redisAccessFailure, redisSecurityOptions } from './redis-security';

const read = (p: string) => {
  if (p === '/ca.pem') return 'CA';
  if (p === '/c.pem') return 'CERT';
  if (p === '/k.pem') return 'KEY';
  throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
};

describe('redisSecurityOptions', () => {
  it('adds nothing for a plain redis:// URL without a password setting', () => {
    expect(redisSecurityOptions({ REDIS_URL: 'redis://127.0.0.1:6379' }, read)).toEqual({});
  });

  it('gives REDIS_PASSWORD to the connection', () => {
    expect(redisSecurityOptions({ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'pw' }, read)).toEqual({ password: 'pw' });
  });

  it('rediss:// with the CA and a client certificate from their files', () => {
    const o = redisSecurityOptions(
      { REDIS_URL: 'rediss://r:6380', REDIS_TLS_CA_FILE: '/ca.pem', REDIS_TLS_CERT_FILE: '/c.pem', REDIS_TLS_KEY_FILE: '/k.pem' },
      read,
    );
    expect(String(o.tls?.ca)).toBe('CA');
    expect(String(o.tls?.cert)).toBe('CERT');
    expect(String(o.tls?.key)).toBe('KEY');
  });

  it('rediss:// without files verifies against the system CAs', () => {
    expect(redisSecurityOptions({ REDIS_URL: 'rediss://r:6380' }, read)).toEqual({ tls: {} });
  });

  it.each([
    [{ REDIS_URL: 'redis://r:6379', REDIS_TLS_CA_FILE: '/ca.pem' }, /not a rediss:\/\/ URL/],
    [{ REDIS_URL: 'rediss://r:6380', REDIS_TLS_CA_FILE: '/nope' }, /REDIS_TLS_CA_FILE=\/nope: cannot read the file \(ENOENT\)/],
    [{ REDIS_URL: 'rediss://r:6380', REDIS_TLS_KEY_FILE: '/k.pem' }, /go together/],
  ] as const)('refuses %j', (s, message) => {
    expect(() => redisSecurityOptions(s, read)).toThrow(message);
  });
});

describe('redisAccessFailure', () => {
  it('names a refused password and a certificate failure; nothing for a refused connection', () => {
    expect(redisAccessFailure(new Error('WRONGPASS invalid username-password pair or user is disabled.'))).toMatch(
      /Redis refused the login/,
    );
    expect(redisAccessFailure(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toMatch(
      /TLS to Redis failed/,
    );
    expect(redisAccessFailure(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBeUndefined();
  });
});
