// Transport security on every link: a hep-agent and a db-writer over Kafka SASL_SSL (SCRAM, client
// certificates), the capture flag from a redis-server with TLS and requirepass, rows into a PostgreSQL that
// accepts only TLS (sslmode=verify-full). Every server is private to this test (certificates made here with
// openssl), on its own ports; the shared ones are not touched. A wrong password is a clear error that stops
// the app, not an endless retry.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCaptureFlag } from '@sipcap/capture-flag';
import { encodeHep3 } from '@sipcap/hep';
import { openSearchDb } from '@sipcap/search';
import { ensureDatabase, openStore } from '@sipcap/store';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, udpClient } from './support/apps';
import { uniqueName, waitFor } from './support/kafka';
import { PrivatePostgres } from './support/private-postgres';
import { makePki, pgSslFiles, SecureKafka, TlsRedis, type TestPki } from './support/secure-servers';

const SCRAM_PASSWORD = 'scram-pw-0f3a9c';
const REDIS_PASSWORD = 'redis-pw-77d21e';

let dir: string;
let pki: TestPki;
let kafka: SecureKafka;
let redis: TlsRedis;
let postgres: PrivatePostgres;
let passwordFile: string;
const processes: AgentProcess[] = [];

function track(p: AgentProcess): AgentProcess {
  processes.push(p);
  return p;
}

/** The Kafka settings of an app on the SASL_SSL broker. */
function kafkaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${kafka.port}`,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'sipcap',
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    KAFKA_SSL_CA_FILE: pki.ca,
    KAFKA_SSL_CERT_FILE: pki.clientCert,
    KAFKA_SSL_KEY_FILE: pki.clientKey,
    ...extra,
  };
}

function redisEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
    REDIS_PASSWORD,
    REDIS_TLS_CA_FILE: pki.ca,
    REDIS_TLS_CERT_FILE: pki.clientCert,
    REDIS_TLS_KEY_FILE: pki.clientKey,
    ...extra,
  };
}

function pgUrl(database: string, query = `sslmode=verify-full&sslrootcert=${encodeURIComponent(pki.ca)}`): string {
  return `postgres://postgres@127.0.0.1:${postgres.port}/${database}${query ? `?${query}` : ''}`;
}

function invite(callid: string): Buffer {
  return Buffer.from(
    `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK${callid}\r\n` +
      `From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ${callid}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
  );
}

beforeAll(async () => {
  buildApp('hep-agent');
  buildApp('db-writer');
  buildApp('cli');
  dir = mkdtempSync(join(tmpdir(), 'sipcap-tls-'));
  pki = await makePki(join(dir, 'pki'));
  passwordFile = join(dir, 'kafka-password');
  writeFileSync(passwordFile, `${SCRAM_PASSWORD}\n`, { mode: 0o600 });

  const [kafkaPort, controllerPort, redisPort, pgPort] = [
    await freeTcpUdpPort(),
    await freeTcpUdpPort(),
    await freeTcpUdpPort(),
    await freeTcpUdpPort(),
  ];
  kafka = new SecureKafka(pki, kafkaPort, controllerPort, { sipcap: SCRAM_PASSWORD });
  redis = new TlsRedis(pki, redisPort, REDIS_PASSWORD);

  postgres = new PrivatePostgres(pgPort);
  await postgres.init();
  const files = await pgSslFiles(pki, postgres.dir);
  // Only TLS connections over TCP: a plaintext one is refused, so rows arriving prove the writer used TLS.
  writeFileSync(join(postgres.dir, 'data', 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n');
  postgres.extraOptions = `-c ssl=on -c ssl_cert_file=${files.cert} -c ssl_key_file=${files.key}`;

  await Promise.all([kafka.start(), redis.start(), postgres.start()]);

  // The broker listens before it serves: wait until a client logs in and lists topics.
  const client = new Kafka({
    brokers: [`127.0.0.1:${kafka.port}`],
    clientId: 'tls-test',
    logLevel: logLevel.NOTHING,
    ssl: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) },
    sasl: { mechanism: 'scram-sha-512', username: 'sipcap', password: SCRAM_PASSWORD },
  });
  await waitFor(
    'the SASL_SSL broker to answer',
    async () => {
      const admin = client.admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return true;
      } catch {
        return undefined;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    90_000,
    1000,
  );
}, 240_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await Promise.allSettled([kafka?.stop(), redis?.stop(), postgres?.destroy()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('transport security', () => {
  it('runs the pipeline over Kafka SASL_SSL, Redis TLS with a password and PostgreSQL TLS', async () => {
    const topic = uniqueName('tls');
    const flagKey = uniqueName('capture_on_tls');
    // The flag is on only in the TLS Redis and CAPTURE_ON=0: captured rows prove the agent read it there.
    const admin = new Redis(`rediss://127.0.0.1:${redis.port}`, {
      password: REDIS_PASSWORD,
      tls: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) },
      maxRetriesPerRequest: 1,
    });
    await setCaptureFlag(admin, flagKey, true);
    admin.disconnect();

    const writer = track(
      startAgent('db-writer', {
        ...kafkaEnv(),
        DB_URL: pgUrl('sipcap_tls'),
        KAFKA_TOPIC: topic,
        KAFKA_DLQ_TOPIC: `${topic}-dlq`,
        KAFKA_GROUP_ID: uniqueName('tls-writers'),
        KAFKA_PARTITIONS: '3',
        DB_FLUSH_MS: '100',
      }),
    );
    await writer.waitForLog('telemetry listening', 90_000);

    const hepPort = await freeTcpUdpPort();
    const agent = track(
      startAgent('hep-agent', {
        // SCRAM-SHA-256 here, with the password in the setting itself; the writer uses SHA-512 and the file.
        ...kafkaEnv({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_PASSWORD: SCRAM_PASSWORD, KAFKA_SASL_PASSWORD_FILE: '' }),
        ...redisEnv(),
        KAFKA_TOPIC: topic,
        KAFKA_PARTITIONS: '3',
        KAFKA_LINGER_MS: '5',
        CAPTURE_ON: '0',
        CAPTURE_FLAG_KEY: flagKey,
        HEP_LISTEN: `127.0.0.1:${hepPort}`,
      }),
    );
    await agent.waitForLog('hep-agent ready', 90_000);
    expect(agent.output()).toMatch(/"captureOn":true,"source":"redis"/);

    const udp = await udpClient(hepPort);
    const run = uniqueName('tlsrun');
    const N = 200;
    for (let i = 0; i < N; i++) {
      await udp.send(
        encodeHep3({
          srcIp: '192.0.2.1',
          dstIp: '192.0.2.2',
          srcPort: 5060,
          dstPort: 5060,
          ipProto: 17,
          tsSec: Math.floor(Date.now() / 1000),
          tsUsec: i,
          captureId: 2001,
          payload: invite(`${run}-${i}`),
        }),
      );
    }
    udp.close();

    const db = new pg.Client({ connectionString: pgUrl('sipcap_tls') });
    await db.connect();
    try {
      const rows = await waitFor(
        `${N} rows in the TLS PostgreSQL`,
        async () => {
          for (const p of [writer, agent]) if (p.child.exitCode !== null) throw new Error(`an app exited:\n${p.output().slice(-3000)}`);
          const r = await db
            .query<{ n: string }>('SELECT count(*) AS n FROM sip_capture WHERE callid LIKE $1', [`${run}-%`])
            .catch(() => undefined);
          const n = Number(r?.rows[0]?.n ?? 0);
          return n >= N ? n : undefined;
        },
        60_000,
        250,
      );
      expect(rows).toBe(N);
      // Every connection of the writer is encrypted (and the server takes no other over TCP).
      const ssl = await db.query<{ ssl: boolean; n: string }>(
        "SELECT s.ssl, count(*) AS n FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'sipcap-store' GROUP BY s.ssl",
      );
      expect(ssl.rows.map((r) => r.ssl)).toEqual([true]);
    } finally {
      await db.end();
    }
    const plain = new pg.Client({ connectionString: pgUrl('sipcap_tls', 'sslmode=disable') });
    await expect(plain.connect()).rejects.toThrow(/no pg_hba.conf entry|SSL off/);

    // The agent left the server's keyspace events alone (REDIS_SET_KEYSPACE_EVENTS defaults to 0).
    const check = new Redis(`rediss://127.0.0.1:${redis.port}`, {
      password: REDIS_PASSWORD,
      tls: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) },
    });
    expect(await check.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', '']);
    check.disconnect();

    // No secret in what the apps logged.
    for (const p of [writer, agent]) {
      for (const secret of [SCRAM_PASSWORD, REDIS_PASSWORD]) expect(p.output()).not.toContain(secret);
    }
  }, 180_000);

  it('a wrong Kafka password stops the hep-agent and the db-writer with a clear error, without retrying forever', async () => {
    const topic = uniqueName('tls-wrong');
    const hepPort = await freeTcpUdpPort();
    const started = Date.now();
    const agent = track(
      startAgent('hep-agent', {
        ...kafkaEnv({ KAFKA_SASL_PASSWORD: 'not-the-password', KAFKA_SASL_PASSWORD_FILE: '' }),
        KAFKA_TOPIC: topic,
        HEP_LISTEN: `127.0.0.1:${hepPort}`,
        REDIS_URL: 'redis://127.0.0.1:1',
      }),
    );
    const writer = track(
      startAgent('db-writer', {
        ...kafkaEnv({ KAFKA_SASL_PASSWORD: 'not-the-password', KAFKA_SASL_PASSWORD_FILE: '' }),
        DB_URL: pgUrl('sipcap_tls'),
        KAFKA_TOPIC: topic,
        KAFKA_GROUP_ID: uniqueName('tls-wrong'),
      }),
    );
    const [a, w] = await Promise.all([agent.exited, writer.exited]);
    expect(Date.now() - started).toBeLessThan(60_000);
    for (const [p, exit] of [
      [agent, a],
      [writer, w],
    ] as const) {
      expect(exit.code, p.output()).not.toBe(0);
      expect(p.output()).toContain('Kafka refused the login (check KAFKA_SASL_USERNAME');
      expect(p.output()).not.toContain('not-the-password');
    }
  }, 120_000);

  it('a broker certificate the agent does not trust (no KAFKA_SSL_CA_FILE) stops it with a TLS error naming the settings', async () => {
    const agent = track(
      startAgent('hep-agent', {
        ...kafkaEnv({ KAFKA_SSL_CA_FILE: '' }),
        KAFKA_TOPIC: uniqueName('tls-untrusted'),
        HEP_LISTEN: `127.0.0.1:${await freeTcpUdpPort()}`,
        REDIS_URL: 'redis://127.0.0.1:1',
      }),
    );
    const exit = await agent.exited;
    expect(exit.code, agent.output()).not.toBe(0);
    expect(agent.output()).toContain('TLS to Kafka failed (check KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_CA_FILE');
  }, 120_000);

  it('a wrong Redis password is logged as a refused login and the agent keeps its CAPTURE_ON', async () => {
    const hepPort = await freeTcpUdpPort();
    const agent = track(
      startAgent('hep-agent', {
        ...kafkaEnv(),
        ...redisEnv({ REDIS_PASSWORD: 'not-the-redis-password' }),
        KAFKA_TOPIC: uniqueName('tls-redis-wrong'),
        KAFKA_PARTITIONS: '1',
        CAPTURE_ON: '1',
        HEP_LISTEN: `127.0.0.1:${hepPort}`,
      }),
    );
    await agent.waitForLog('Redis refused the login', 60_000);
    await agent.waitForLog('hep-agent ready', 60_000);
    expect(agent.output()).not.toContain('not-the-redis-password');
    expect((await agent.stop()).code).toBe(0);
  }, 120_000);

  it('passes the TLS parameters of a mysql:// DB_URL to mysql2 (writer store, database creation, web pool): MariaDB without TLS is refused', async () => {
    // The shared MariaDB has TLS disabled: a URL that asks for TLS must fail on it, which shows that the
    // parameter reached the driver (a plaintext connection would succeed).
    const url = `mysql://root@127.0.0.1:3306/${uniqueName('tls_my')}?ssl=${encodeURIComponent('{"rejectUnauthorized":true}')}`;
    await expect(ensureDatabase(url)).rejects.toThrow(/secure connection/);
    const store = await openStore(url).catch((e: Error) => e);
    if (store instanceof Error) expect(store.message).toMatch(/secure connection/);
    else {
      await expect(store.ensureTable('sip_capture')).rejects.toThrow(/secure connection/);
      await store.close();
    }
    const web = openSearchDb(url);
    await expect(web.query('SELECT 1', [])).rejects.toThrow(/secure connection/);
    await web.close();
  });

  it('sipcap (the CLI) logs in with SASL PLAIN over TLS and sets the flag over Redis TLS', async () => {
    const cli = async (args: string[], env: Record<string, string>) =>
      promisify(execFile)(process.execPath, ['dist/apps/cli/main.js', ...args], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const topic = uniqueName('tls-cli');
    const plain = kafkaEnv({ KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_PASSWORD: SCRAM_PASSWORD, KAFKA_SASL_PASSWORD_FILE: '' });
    const init = await cli(['db', 'init', '--skip-db'], {
      ...plain,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}-dlq`,
      KAFKA_PARTITIONS: '1',
    });
    expect(init.out).toContain(`topic ${topic}: created`);
    expect(init.code).toBe(0);

    const wrong = await cli(['db', 'init', '--skip-db'], { ...plain, KAFKA_SASL_PASSWORD: 'nope-nope', KAFKA_TOPIC: topic });
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('Kafka refused the login');

    const key = uniqueName('capture_on_cli');
    const on = await cli(['capture', 'on'], { ...redisEnv(), CAPTURE_FLAG_KEY: key });
    expect(on.out).toMatch(/^on \(key /);
    const wrongRedis = await cli(['capture'], { ...redisEnv({ REDIS_PASSWORD: 'nope-nope' }), CAPTURE_FLAG_KEY: key });
    expect(wrongRedis.code).toBe(1);
    expect(wrongRedis.out).toContain('Redis refused the login');
  }, 60_000);
});
