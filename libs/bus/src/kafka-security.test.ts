import { describe, expect, it } from 'vitest';
import { kafkaAccessFailure, kafkaSecurityOptions } from './kafka-security';

const files: Record<string, string> = { '/ca.pem': 'CA', '/c.pem': 'CERT', '/k.pem': 'KEY', '/pw': 's3cret\n' };
const read = (p: string) => {
  if (!(p in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return files[p];
};

describe('kafkaSecurityOptions', () => {
  it('adds nothing for PLAINTEXT (the default)', () => {
    expect(kafkaSecurityOptions({}, read)).toEqual({});
    expect(kafkaSecurityOptions({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' }, read)).toEqual({});
  });

  it('SSL: the CA, client certificate and key from their files, verified by default', () => {
    const o = kafkaSecurityOptions(
      {
        KAFKA_SECURITY_PROTOCOL: 'SSL',
        KAFKA_SSL_CA_FILE: '/ca.pem',
        KAFKA_SSL_CERT_FILE: '/c.pem',
        KAFKA_SSL_KEY_FILE: '/k.pem',
        KAFKA_SSL_VERIFY: true,
      },
      read,
    );
    expect(o.sasl).toBeUndefined();
    expect(o.ssl?.rejectUnauthorized).toBe(true);
    expect(o.ssl?.checkServerIdentity).toBeUndefined();
    expect(String(o.ssl?.ca)).toBe('CA');
    expect(String(o.ssl?.cert)).toBe('CERT');
    expect(String(o.ssl?.key)).toBe('KEY');
  });

  it('KAFKA_SSL_VERIFY=0 accepts any certificate and name', () => {
    const o = kafkaSecurityOptions({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_VERIFY: false }, read);
    expect(o.ssl?.rejectUnauthorized).toBe(false);
    expect(o.ssl?.checkServerIdentity?.('x', {} as never)).toBeUndefined();
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ] as const)('SASL_SSL with %s: TLS and the login', (mechanism, kafkajs) => {
    const o = kafkaSecurityOptions(
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      read,
    );
    expect(o.sasl).toEqual({ mechanism: kafkajs, username: 'u', password: 'p' });
    expect(o.ssl).toBeDefined();
  });

  it('SASL_PLAINTEXT: the login without TLS; the password file wins over the setting, its newline dropped', () => {
    const o = kafkaSecurityOptions(
      {
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'other',
        KAFKA_SASL_PASSWORD_FILE: '/pw',
      },
      read,
    );
    expect(o.ssl).toBeUndefined();
    expect(o.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 's3cret' });
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_PASSWORD: 'p' }, /needs KAFKA_SASL_USERNAME/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'u' }, /needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE/],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/missing' },
      /KAFKA_SASL_PASSWORD_FILE=\/missing: cannot read the file \(ENOENT\)/,
    ],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/missing' }, /KAFKA_SSL_CA_FILE=\/missing/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: '/c.pem' }, /KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together/],
    [{ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT', KAFKA_SSL_CA_FILE: '/ca.pem' }, /does not use TLS/],
  ] as const)('refuses an incomplete combination: %j', (settings, message) => {
    expect(() => kafkaSecurityOptions(settings, read)).toThrow(message);
  });

  it('never puts the password in an error', () => {
    try {
      kafkaSecurityOptions({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_PASSWORD: 'hunter2' }, read);
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('kafkaAccessFailure', () => {
  it('names a refused login and a certificate failure, also when wrapped', () => {
    const sasl = Object.assign(
      new Error(
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ),
      { name: 'KafkaJSSASLAuthenticationError' },
    );
    expect(kafkaAccessFailure(sasl)).toMatch(/Kafka refused the login .*KAFKA_SASL_USERNAME/);
    expect(kafkaAccessFailure(Object.assign(new Error('Connection error'), { originalError: sasl }))).toMatch(/refused the login/);
    expect(
      kafkaAccessFailure(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })),
    ).toMatch(/TLS to Kafka failed/);
  });

  it('says nothing of a failure a retry can fix', () => {
    expect(kafkaAccessFailure(new Error('connect ECONNREFUSED 127.0.0.1:9092'))).toBeUndefined();
    expect(kafkaAccessFailure(undefined)).toBeUndefined();
  });
});
