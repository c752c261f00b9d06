import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, redactUrl } from './load-config';
import { SETTINGS } from './settings';

describe('loadConfig', () => {
  it('gives working defaults when nothing is set', () => {
    const c = loadConfig(['DB_URL', 'TABLE_NAME', 'KAFKA_BROKERS', 'HEP_LISTEN', 'CAPTURE_ON', 'CAPTURE_NODE', 'KAFKA_PARTITIONS'], {
      env: {},
    });
    expect(c.DB_URL).toBe('postgres://postgres@127.0.0.1:5432/sipcapture');
    expect(c.TABLE_NAME).toBe('sip_capture');
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.HEP_LISTEN).toEqual({ host: '0.0.0.0', port: 9060 });
    expect(c.CAPTURE_ON).toBe(false);
    expect(c.CAPTURE_NODE).toBe('homer01');
    expect(c.KAFKA_PARTITIONS).toBe(12);
  });

  it('keeps capture times within a day of the agent clock and partitions within 7 past days by default', () => {
    const c = loadConfig(['CAPTURE_TIME_WINDOW_S', 'DB_TIME_WINDOW_DAYS'], { env: {} });
    expect(c.CAPTURE_TIME_WINDOW_S).toBe(86_400);
    expect(c.DB_TIME_WINDOW_DAYS).toBe(7);
  });

  it('every setting has a default or is optional, so an empty environment validates', () => {
    const names = Object.keys(SETTINGS) as (keyof typeof SETTINGS)[];
    expect(() => loadConfig(names, { env: {} })).not.toThrow();
  });

  it.each([
    ['CUSTOM_FIELD1_HEADER', 'X A'],
    ['DB_URL', 'nonsense'],
    ['DB_URL', 'http://127.0.0.1/db'],
    ['DB_URL', 'postgres://127.0.0.1'],
    ['MT_MODE', 'sometimes'],
    ['HEP_LISTEN', '9060'],
    ['HEP_LISTEN', '0.0.0.0:70000'],
    ['KAFKA_PARTITIONS', '0'],
    ['KAFKA_PARTITIONS', 'twelve'],
    ['CAPTURE_ON', 'maybe'],
    ['RAW_SOCKET_LISTEN', '10.0.0.1:5090-5060'],
    ['TABLE_NAME', 'sip capture'],
    ['TABLE_NAME', 'sip_capture_%Q'],
    ['RTCP_TABLE_NAME', 'rtcp_%'],
    ['CALL_TABLE_NAME', 'call_%Y%m%'],
    ['REDIS_URL', '127.0.0.1:6379'],
    ['KAFKA_BROKERS', 'localhost'],
    ['LOG_LEVEL', 'loud'],
    ['CALLID_ALEG_HEADER', 'X CID'],
  ] as const)('rejects %s=%s with a one-line message naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig([name], { env: { [name]: value } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg.startsWith(`invalid setting ${name}=`)).toBe(true);
    expect(msg).not.toContain('\n');
  });

  it('parses lists, ranges and flags', () => {
    const c = loadConfig(['KAFKA_BROKERS', 'RAW_SOCKET_LISTEN', 'CALLID_ALEG_HEADER', 'HEP_CAPTURE_ON', 'HEP_TLS_LISTEN'], {
      env: {
        KAFKA_BROKERS: 'a:9092, b:9093',
        RAW_SOCKET_LISTEN: '10.0.0.1:5060-5090',
        CALLID_ALEG_HEADER: 'X-CID;P-Charging-Vector',
        HEP_CAPTURE_ON: '0',
        HEP_TLS_LISTEN: '[::1]:9061',
      },
    });
    expect(c.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(c.RAW_SOCKET_LISTEN).toEqual({ ip: '10.0.0.1', portFrom: 5060, portTo: 5090 });
    expect(c.CALLID_ALEG_HEADER).toEqual(['X-CID', 'P-Charging-Vector']);
    expect(c.HEP_CAPTURE_ON).toBe(false);
    expect(c.HEP_TLS_LISTEN).toEqual({ host: '::1', port: 9061 });
  });

  it('applies per-app defaults', () => {
    expect(loadConfig(['METRICS_PORT'], { env: {}, defaults: { METRICS_PORT: '9096' } }).METRICS_PORT).toBe(9096);
    expect(loadConfig(['METRICS_PORT'], { env: { METRICS_PORT: '9100' }, defaults: { METRICS_PORT: '9096' } }).METRICS_PORT).toBe(9100);
  });

  it('never shows secrets in errors or descriptions', () => {
    expect(() => loadConfig(['HEP_TLS_LISTEN'], { env: { HEP_TLS_LISTEN: 'x' } })).toThrow(/HEP_TLS_LISTEN="x"/);
    const d = describeConfig({ HEP_AUTH_KEY: 's3cret', DB_URL: 'mysql://root:pw@127.0.0.1/db' });
    expect(JSON.stringify(d)).not.toContain('s3cret');
    expect(JSON.stringify(d)).not.toContain(':pw@');
  });
});

describe('optional listen addresses', () => {
  it('leaves HEP_TLS_LISTEN unset when absent or empty', () => {
    expect(loadConfig(['HEP_TLS_LISTEN'], { env: {} }).HEP_TLS_LISTEN).toBeUndefined();
    expect(loadConfig(['HEP_TLS_LISTEN'], { env: { HEP_TLS_LISTEN: '' } }).HEP_TLS_LISTEN).toBeUndefined();
  });
});

describe('web settings', () => {
  it('listens on 127.0.0.1:8080 without a token by default', () => {
    const c = loadConfig(['WEB_LISTEN', 'WEB_AUTH_TOKEN'], { env: {} });
    expect(c.WEB_LISTEN).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.WEB_AUTH_TOKEN).toBeUndefined();
  });

  it('parses WEB_LISTEN like HEP_LISTEN, IPv6 and a bare :port included', () => {
    expect(loadConfig(['WEB_LISTEN'], { env: { WEB_LISTEN: '0.0.0.0:9080' } }).WEB_LISTEN).toEqual({ host: '0.0.0.0', port: 9080 });
    expect(loadConfig(['WEB_LISTEN'], { env: { WEB_LISTEN: '[::1]:8081' } }).WEB_LISTEN).toEqual({ host: '::1', port: 8081 });
    expect(loadConfig(['WEB_LISTEN'], { env: { WEB_LISTEN: ':8082' } }).WEB_LISTEN).toEqual({ host: '0.0.0.0', port: 8082 });
    expect(() => loadConfig(['WEB_LISTEN'], { env: { WEB_LISTEN: '8080' } })).toThrow(
      /^invalid setting WEB_LISTEN="8080": expected host:port/,
    );
  });

  it('takes a WEB_AUTH_TOKEN of 16 characters or more, treats an empty one as unset, and never shows it', () => {
    const token = 'a'.repeat(15) + 'Z';
    expect(loadConfig(['WEB_AUTH_TOKEN'], { env: { WEB_AUTH_TOKEN: token } }).WEB_AUTH_TOKEN).toBe(token);
    expect(loadConfig(['WEB_AUTH_TOKEN'], { env: { WEB_AUTH_TOKEN: '' } }).WEB_AUTH_TOKEN).toBeUndefined();
    expect(() => loadConfig(['WEB_AUTH_TOKEN'], { env: { WEB_AUTH_TOKEN: 'short-secret' } })).toThrow(
      /^invalid setting WEB_AUTH_TOKEN=<hidden>: expected at least 16/,
    );
    expect(() => loadConfig(['WEB_AUTH_TOKEN'], { env: { WEB_AUTH_TOKEN: 'with spaces in the token' } })).toThrow(
      /WEB_AUTH_TOKEN=<hidden>/,
    );
    expect(JSON.stringify(describeConfig({ WEB_AUTH_TOKEN: token }))).not.toContain(token);
  });
});

describe('redactUrl', () => {
  it('hides the password of the user part', () => {
    expect(redactUrl('postgres://sipcap:hunter2@db:5432/sipcapture')).toBe('postgres://sipcap:***@db:5432/sipcapture');
  });

  it('hides secrets in the query string and keeps the other parameters', () => {
    const out = redactUrl('postgres://sipcap@db/sipcapture?sslmode=verify-full&password=hunter2&sslpassword=keypw&sslrootcert=/etc/ca.pem');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('keypw');
    expect(out).toContain('sslmode=verify-full');
    expect(out).toContain('sslrootcert=%2Fetc%2Fca.pem');
    expect(out).toContain('password=***');
    expect(out).toContain('sslpassword=***');
  });

  it('hides query secrets whatever their case, and every repeat of one', () => {
    const out = redactUrl('mysql://root@db/x?PASSWORD=a1&Password=b2&auth_token=c3&ssl={"rejectUnauthorized":true}');
    for (const secret of ['a1', 'b2', 'c3']) expect(out).not.toContain(secret);
    expect(out).toContain('rejectUnauthorized');
  });

  it('leaves a URL without secrets as it was', () => {
    expect(redactUrl('rediss://redis.example:6380/0')).toBe('rediss://redis.example:6380/0');
  });

  it('hides password= in text that is not a URL', () => {
    expect(redactUrl('host=db password=hunter2 sslmode=require')).toBe('host=db password=*** sslmode=require');
  });

  it('describeConfig hides query secrets of URL settings and the new password settings', () => {
    const d = describeConfig({
      DB_URL: 'postgres://u@h/db?password=hunter2',
      KAFKA_SASL_PASSWORD: 'kpw',
      REDIS_PASSWORD: 'rpw',
      KAFKA_SSL_KEY_PASSWORD: 'kk',
    });
    const text = JSON.stringify(d);
    for (const secret of ['hunter2', 'kpw', 'rpw', '"kk"']) expect(text).not.toContain(secret);
  });
});

describe('a refused URL setting', () => {
  it('names the setting without printing the password it holds', () => {
    expect(() => loadConfig(['DB_URL'], { env: { DB_URL: 'oracle://sipcap:hunter2@db/x?password=hunter3' } })).toThrow(
      /invalid setting DB_URL="oracle:\/\/sipcap:\*\*\*@db\/x\?password=\*\*\*"/,
    );
  });
});

describe('transport security settings', () => {
  it('defaults to plaintext Kafka, verified TLS and no CONFIG SET on Redis', () => {
    const c = loadConfig(['KAFKA_SECURITY_PROTOCOL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SSL_VERIFY', 'REDIS_SET_KEYSPACE_EVENTS'], { env: {} });
    expect(c).toEqual({
      KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SSL_VERIFY: true,
      REDIS_SET_KEYSPACE_EVENTS: false,
    });
  });

  it('takes the SASL mechanism in any case and refuses an unknown one', () => {
    expect(loadConfig(['KAFKA_SASL_MECHANISM'], { env: { KAFKA_SASL_MECHANISM: 'scram-sha-256' } }).KAFKA_SASL_MECHANISM).toBe(
      'SCRAM-SHA-256',
    );
    expect(() => loadConfig(['KAFKA_SASL_MECHANISM'], { env: { KAFKA_SASL_MECHANISM: 'GSSAPI' } })).toThrow(
      /PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512/,
    );
    expect(() => loadConfig(['KAFKA_SECURITY_PROTOCOL'], { env: { KAFKA_SECURITY_PROTOCOL: 'TLS' } })).toThrow(/KAFKA_SECURITY_PROTOCOL/);
  });
});
