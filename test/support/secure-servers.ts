import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { reachable } from './servers';

const run = promisify(execFile);

/** Files of a throw-away PKI made with openssl: a CA, a server certificate for 127.0.0.1/localhost, a client certificate. */
export interface TestPki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The server key and certificate (and the CA) as a PKCS#12 keystore for Kafka, password `keystorePassword`. */
  serverP12: string;
  keystorePassword: string;
}

/** Makes the test PKI in `dir` with openssl (RSA 2048, valid 2 days). */
export async function makePki(dir: string): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => run('openssl', args);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=sipcap test CA',
  );
  for (const who of ['server', 'client']) {
    await ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
      '-subj',
      `/CN=${who === 'server' ? 'localhost' : 'sipcap-client'}`,
    );
    await ssl(
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${who}.pem`),
      '-days',
      '2',
      ...(who === 'server' ? ['-extfile', f('server.ext')] : []),
    );
  }
  const keystorePassword = 'keystore-pw';
  await ssl(
    'pkcs12',
    '-export',
    '-in',
    f('server.pem'),
    '-inkey',
    f('server.key'),
    '-certfile',
    f('ca.pem'),
    '-out',
    f('server.p12'),
    '-passout',
    `pass:${keystorePassword}`,
    '-name',
    'broker',
  );
  return {
    dir,
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
    serverP12: f('server.p12'),
    keystorePassword,
  };
}

/** SCRAM and PLAIN users of the secure broker. */
export interface KafkaUsers {
  /** user → password, created for SCRAM-SHA-256 and SCRAM-SHA-512 at format time, and accepted by PLAIN. */
  [user: string]: string;
}

/**
 * A second KRaft broker (broker + controller) of the Kafka the project fetched into .kafka/lib, with one
 * SASL_SSL listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; TLS client certificates required) on
 * 127.0.0.1:`port` and its controller on `controllerPort`. The shared broker on 9092 is not touched.
 */
export class SecureKafka {
  private child?: ChildProcess;
  private readonly dir: string;

  constructor(
    private readonly pki: TestPki,
    readonly port: number,
    private readonly controllerPort: number,
    private readonly users: KafkaUsers,
  ) {
    this.dir = join(pki.dir, 'kafka');
  }

  private java(args: string[]): string[] {
    const lib = resolve('.kafka/lib');
    return [
      '-Xms256m',
      '-Xmx256m',
      '-XX:+UseG1GC',
      `-Dkafka.logs.dir=${join(this.dir, 'logs')}`,
      `-Dlog4j2.configurationFile=${resolve('scripts/kafka/log4j2.yaml')}`,
      '-cp',
      `${lib}/*`,
      ...args,
    ];
  }

  async start(timeoutMs = 120_000): Promise<void> {
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const props = join(this.dir, 'server.properties');
    const plainUsers = Object.entries({ admin: 'admin-secret', ...this.users })
      .map(([u, p]) => `user_${u}="${p}"`)
      .join(' ');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.bootstrap.servers=127.0.0.1:${this.controllerPort}`,
        `listeners=SASL_SSL://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
        `advertised.listeners=SASL_SSL://127.0.0.1:${this.port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name=SASL_SSL',
        'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";',
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" ${plainUsers};`,
        'listener.name.sasl_ssl.ssl.client.auth=required',
        'ssl.keystore.type=PKCS12',
        `ssl.keystore.location=${this.pki.serverP12}`,
        `ssl.keystore.password=${this.pki.keystorePassword}`,
        `ssl.key.password=${this.pki.keystorePassword}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${this.pki.ca}`,
        `log.dirs=${join(this.dir, 'data')}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=3',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
        '',
      ].join('\n'),
    );
    const scram = Object.entries({ admin: 'admin-secret', ...this.users }).flatMap(([u, p]) => [
      '-S',
      `SCRAM-SHA-512=[name=${u},password=${p}]`,
      '-S',
      `SCRAM-SHA-256=[name=${u},password=${p}]`,
    ]);
    const uuid = (await run('java', this.java(['kafka.tools.StorageTool', 'random-uuid']))).stdout.trim();
    await run('java', this.java(['kafka.tools.StorageTool', 'format', '--standalone', '-t', uuid, '-c', props, ...scram]));
    this.child = spawn('java', this.java(['kafka.Kafka', props]), { stdio: 'ignore' });
    const end = Date.now() + timeoutMs;
    while (!(await reachable('127.0.0.1', this.port, 500))) {
      if (this.child.exitCode !== null) throw new Error(`the SASL_SSL broker exited (${this.child.exitCode}); see ${this.dir}/logs`);
      if (Date.now() > end) throw new Error(`the SASL_SSL broker did not listen on ${this.port} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A redis-server with only a TLS port (client certificates required, as redis-server's default) and `requirepass`. */
export class TlsRedis {
  private child?: ChildProcess;
  output = '';

  constructor(
    private readonly pki: TestPki,
    readonly port: number,
    readonly password: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        this.pki.serverCert,
        '--tls-key-file',
        this.pki.serverKey,
        '--tls-ca-cert-file',
        this.pki.ca,
        '--tls-auth-clients',
        'yes',
        '--requirepass',
        this.password,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.pki.dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const end = Date.now() + 15_000;
    while (!(await reachable('127.0.0.1', this.port, 300))) {
      if (this.child.exitCode !== null) throw new Error(`redis-server with TLS exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > end) throw new Error(`redis-server did not listen on TLS port ${this.port}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Copies of the server certificate and key that a private PostgreSQL (running as `postgres` when we are root) may read. */
export async function pgSslFiles(pki: TestPki, dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  await run('cp', [pki.serverCert, cert]);
  await run('cp', [pki.serverKey, key]);
  chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    chownSync(cert, uid, gid);
    chownSync(key, uid, gid);
  }
  return { cert, key };
}
