import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { KafkaSecuritySettings } from '@sipcap/config';

/** The `ssl` and `sasl` options of a kafkajs client. */
export interface KafkaSecurityOptions {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

export type ReadSecretFile = (path: string) => string | Buffer;

/**
 * kafkajs' `ssl`/`sasl` options from the KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* settings.
 * Files (CA, certificate, key, password) are read now, so a missing one stops the app at its start with
 * the setting named. Throws an Error for an incomplete combination (SASL without a user or password, a
 * certificate without its key, TLS files with a plaintext protocol).
 */
export function kafkaSecurityOptions(s: Partial<KafkaSecuritySettings>, read: ReadSecretFile = readFileSync): KafkaSecurityOptions {
  const protocol = s.KAFKA_SECURITY_PROTOCOL ?? 'PLAINTEXT';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const file = (name: keyof KafkaSecuritySettings, path: string): Buffer => {
    try {
      const data = read(path);
      return Buffer.isBuffer(data) ? data : Buffer.from(data);
    } catch (e) {
      throw new Error(`${name}=${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
  };
  const out: KafkaSecurityOptions = {};

  const tlsFiles = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).filter((n) => s[n] !== undefined);
  if (!tls && tlsFiles.length > 0) {
    throw new Error(`${tlsFiles.join(', ')} set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS (use SSL or SASL_SSL)`);
  }
  if (tls) {
    if ((s.KAFKA_SSL_CERT_FILE === undefined) !== (s.KAFKA_SSL_KEY_FILE === undefined)) {
      throw new Error('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (the client certificate and its private key)');
    }
    const ssl: ConnectionOptions = { rejectUnauthorized: s.KAFKA_SSL_VERIFY ?? true };
    if (s.KAFKA_SSL_CA_FILE !== undefined) ssl.ca = file('KAFKA_SSL_CA_FILE', s.KAFKA_SSL_CA_FILE);
    if (s.KAFKA_SSL_CERT_FILE !== undefined) ssl.cert = file('KAFKA_SSL_CERT_FILE', s.KAFKA_SSL_CERT_FILE);
    if (s.KAFKA_SSL_KEY_FILE !== undefined) ssl.key = file('KAFKA_SSL_KEY_FILE', s.KAFKA_SSL_KEY_FILE);
    if (s.KAFKA_SSL_KEY_PASSWORD !== undefined) ssl.passphrase = s.KAFKA_SSL_KEY_PASSWORD;
    if (ssl.rejectUnauthorized === false) ssl.checkServerIdentity = () => undefined;
    out.ssl = ssl;
  }

  if (sasl) {
    const username = s.KAFKA_SASL_USERNAME;
    let password = s.KAFKA_SASL_PASSWORD;
    if (s.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      password = file('KAFKA_SASL_PASSWORD_FILE', s.KAFKA_SASL_PASSWORD_FILE)
        .toString('utf8')
        .replace(/\r?\n$/, '');
    }
    if (!username) throw new Error(`KAFKA_SECURITY_PROTOCOL=${protocol} needs KAFKA_SASL_USERNAME`);
    if (!password) throw new Error(`KAFKA_SECURITY_PROTOCOL=${protocol} needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`);
    const mechanism = s.KAFKA_SASL_MECHANISM ?? 'SCRAM-SHA-512';
    out.sasl =
      mechanism === 'PLAIN'
        ? { mechanism: 'plain', username, password }
        : mechanism === 'SCRAM-SHA-256'
          ? { mechanism: 'scram-sha-256', username, password }
          : { mechanism: 'scram-sha-512', username, password };
  }
  return out;
}

const CERT_ERROR =
  /certificate|self[- ]signed|unable to verify|CERT_|ERR_TLS|alert (bad|unknown|handshake)|wrong version number|Hostname\/IP does not match/i;

/**
 * A failure no retry can fix, as one line for the operator: the broker refused the login (wrong user,
 * password or mechanism) or the TLS handshake failed on a certificate. Undefined for anything else.
 */
export function kafkaAccessFailure(e: unknown): string | undefined {
  for (
    let err = e as { name?: string; message?: string; code?: string; cause?: unknown; originalError?: unknown } | undefined, depth = 0;
    err && depth < 6;
    depth++
  ) {
    const text = `${err.message ?? ''} ${err.code ?? ''}`;
    if (err.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed|Authentication failed/i.test(text)) {
      return `Kafka refused the login (check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/KAFKA_SASL_PASSWORD_FILE and KAFKA_SASL_MECHANISM): ${err.message}`;
    }
    if (CERT_ERROR.test(text)) {
      return `TLS to Kafka failed (check KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE and the broker's listener): ${err.message}`;
    }
    err = (err.originalError ?? err.cause) as typeof err;
  }
  return undefined;
}

/** `e`, or an Error with the operator's line of kafkaAccessFailure when it is one no retry can fix. */
export function explainKafkaFailure(e: unknown): unknown {
  const access = kafkaAccessFailure(e);
  return access ? new Error(access, { cause: e }) : e;
}
