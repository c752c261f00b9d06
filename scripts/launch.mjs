#!/usr/bin/env node
// The local launcher behind `npm start` (see scripts/start.sh). Settings come from the environment or
// .env, as for every app. Ctrl-C (or SIGTERM) stops the apps gracefully, then Kafka if it started it.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pinoPretty from 'pino-pretty';

// The checkout this script lies in (the apps' bundles, kafka.sh); .env is read from the working directory.
const ROOT = join(import.meta.dirname, '..');
const kafkaSh = (cmd) => spawnSync('bash', [join(ROOT, 'scripts/kafka.sh'), cmd], { stdio: 'inherit' });

// .env as libs/config reads it for the apps and the CLI: its values never override the real environment.
if (existsSync('.env')) {
  const real = { ...process.env };
  process.loadEnvFile('.env');
  Object.assign(process.env, real);
}
const env = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
let stopping = false;
const on = (v) => ['1', 'on', 'true', 'yes'].includes(String(v ?? '').toLowerCase());
const say = (msg) => console.log(`[sipcap] ${msg}`);
const answers = (port, host = '127.0.0.1') =>
  new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(3000, () => (s.destroy(), resolve(false))); // a silent address is no Kafka either
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const apps = [
  { name: 'hep-agent', port: env.METRICS_PORT_HEP_AGENT ?? '9096', enabled: env.HEP_CAPTURE_ON === undefined || on(env.HEP_CAPTURE_ON) },
  { name: 'db-writer', port: env.METRICS_PORT_DB_WRITER ?? '9097', enabled: true },
  { name: 'web', port: env.METRICS_PORT_WEB ?? '9095', enabled: true },
  { name: 'stats', port: env.METRICS_PORT_STATS ?? '9094', enabled: env.STATS_ON === undefined || on(env.STATS_ON) },
  { name: 'ipip-agent', port: env.METRICS_PORT_IPIP_AGENT ?? '9098', enabled: on(env.RAW_IPIP_CAPTURE_ON) },
  { name: 'mirror-agent', port: env.METRICS_PORT_MIRROR_AGENT ?? '9099', enabled: on(env.RAW_MONI_CAPTURE_ON) },
].filter((a) => a.enabled);

// Every port the apps will bind, tried before anything starts: a port in use (Kamailio still on 9060 when
// moving from sipcapture) is named with the process holding it, and nothing is left half started.
const listen = env.HEP_LISTEN ?? '0.0.0.0:9060';
const hostPort = (v) => {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v.trim());
  return m ? { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) } : undefined;
};
const wanted = [];
const want = (setting, value, protos) => {
  const hp = hostPort(value);
  if (hp) for (const proto of protos) wanted.push({ setting, ...hp, proto });
};
if (apps.some((a) => a.name === 'hep-agent')) {
  want('HEP_LISTEN', listen, ['udp', 'tcp']);
  if (env.HEP_TLS_LISTEN) want('HEP_TLS_LISTEN', env.HEP_TLS_LISTEN, ['tcp']);
}
if (apps.some((a) => a.name === 'web')) want('WEB_LISTEN', env.WEB_LISTEN || '127.0.0.1:8080', ['tcp']);
for (const a of apps)
  want(`metrics of ${a.name} (METRICS_PORT_${a.name.toUpperCase().replace('-', '_')})`, `${env.METRICS_HOST ?? '127.0.0.1'}:${a.port}`, [
    'tcp',
  ]);
const bindError = ({ host, port, proto }) =>
  new Promise((resolve) => {
    if (proto === 'udp') {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', (e) => resolve(e.code ?? e.message));
      s.bind(port, host, () => s.close(() => resolve(undefined)));
    } else {
      const s = createServer();
      s.once('error', (e) => resolve(e.code ?? e.message));
      s.listen(port, host, () => s.close(() => resolve(undefined)));
    }
  });
/** The process listening on a local port, from `ss` (`kamailio (pid 812)`), or undefined when it cannot tell. */
const holderOf = (port, proto) => {
  const r = spawnSync('ss', ['-H', proto === 'udp' ? '-lunp' : '-ltnp', `sport = :${port}`], { encoding: 'utf8' });
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(r.stdout ?? '');
  return m ? `${m[1]} (pid ${m[2]})` : undefined;
};
const taken = [];
for (const w of wanted) {
  const err = await bindError(w);
  if (err) taken.push({ ...w, err });
}
if (taken.length > 0) {
  for (const t of taken) {
    const who = t.err === 'EADDRINUSE' ? `in use by ${holderOf(t.port, t.proto) ?? 'another process'}` : `cannot be bound (${t.err})`;
    say(`port ${t.port}/${t.proto} on ${t.host} (${t.setting}) ${who}`);
  }
  say('nothing was started: stop what holds the port, or point the setting elsewhere (environment or .env)');
  process.exit(1);
}

const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0];
const [kHost, kPort] = brokers.split(':');
let startedKafka = false;
if (await answers(Number(kPort), kHost)) {
  const local = kHost === '127.0.0.1' || kHost === 'localhost';
  const holder = local ? holderOf(Number(kPort), 'tcp') : undefined;
  say(`Kafka: using the broker already answering at ${brokers}${holder ? `, ${holder}` : ''} (KAFKA_BROKERS); left running on exit`);
} else {
  if (kHost !== '127.0.0.1' && kHost !== 'localhost') {
    say(`Kafka at ${brokers} does not answer; start it or fix KAFKA_BROKERS`);
    process.exit(1);
  }
  if (kafkaSh('start').status !== 0) process.exit(1);
  startedKafka = true;
  say(`Kafka: started at ${brokers} from the fetched jars (scripts/kafka.sh; data in .kafka); stopped on exit`);
}

say('preparing the database and the topic (sipcap db init)');
if (spawnSync('node', [join(ROOT, 'dist/apps/cli/main.js'), 'db', 'init'], { stdio: 'inherit', env }).status !== 0) {
  say('db init failed: see above');
  if (startedKafka) kafkaSh('stop');
  process.exit(1);
}

// On a terminal each app's JSON lines are printed by pino's pretty printer, its name in a colour of its own;
// JSON as the apps write it when the output is not a terminal or LOG_FORMAT=json.
const pretty =
  process.stdout.isTTY && (env.LOG_FORMAT ?? 'pretty') !== 'json'
    ? pinoPretty.prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app', singleLine: true })
    : undefined;
const COLOURS = [36, 33, 35, 32, 34, 91, 96];
const printLine = (name, index, line) => {
  if (!pretty) return console.log(`${name.padEnd(12)}| ${line}`);
  let text = line;
  if (line.startsWith('{')) {
    try {
      text = pretty(JSON.parse(line)).trimEnd();
    } catch {
      // not a JSON log line: as it is
    }
  }
  console.log(`\x1b[${COLOURS[index % COLOURS.length]}m${name.padEnd(12)}\x1b[0m ${text}`);
};

const children = apps.map((app, index) => {
  const childEnv = { ...env, METRICS_PORT: app.port };
  // Each raw agent runs one raw mode: give each only its own switch.
  if (app.name === 'ipip-agent') childEnv.RAW_MONI_CAPTURE_ON = '0';
  if (app.name === 'mirror-agent') childEnv.RAW_IPIP_CAPTURE_ON = '0';
  // stats reads the topic in a group of its own, whatever KAFKA_GROUP_ID the writers use.
  if (app.name === 'stats') childEnv.KAFKA_GROUP_ID = env.STATS_GROUP_ID ?? 'sipcap-stats';
  // Own process group: a Ctrl-C reaches only the launcher, which then stops each app once, in order.
  const child = spawn('node', [join(ROOT, `dist/apps/${app.name}/main.js`)], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => printLine(app.name, index, line));
  }
  child.on('exit', (code, signal) => {
    say(`${app.name} exited (${signal ?? `code ${code}`})`);
    if (!stopping) stop(1);
  });
  return { app, child };
});

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

// "running" once each app's /healthz answers 200 (bound its ports, reached Kafka, Redis, the database).
const ready = async ({ app, child }) => {
  const deadline = Date.now() + 90_000;
  let last = 'no answer';
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null && !stopping) {
    try {
      const r = await fetch(`http://127.0.0.1:${app.port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return undefined;
      last = `${r.status} ${(await r.text()).slice(0, 200)}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
};
const notReady = await Promise.all(children.map(ready));
say(notReady.every((r) => r === undefined) ? 'running:' : 'running, but not every app is ready:');
for (const [i, { app }] of children.entries()) {
  if (notReady[i] !== undefined) say(`  ${app.name.padEnd(12)} NOT READY after 90 s (healthz: ${notReady[i]})`);
  const where =
    app.name === 'hep-agent'
      ? `HEP on udp+tcp ${listen}${env.HEP_TLS_LISTEN ? `, tls ${env.HEP_TLS_LISTEN}` : ''}`
      : app.name === 'db-writer'
        ? `writing to ${(env.DB_URL ?? 'postgres://postgres@127.0.0.1:5432/sipcapture').replace(/:[^:@/]*@/, ':***@')}`
        : app.name === 'web'
          ? `search and call ladders at http://${env.WEB_LISTEN || '127.0.0.1:8080'}/${env.WEB_AUTH_TOKEN ? ' (token: WEB_AUTH_TOKEN)' : ''}`
          : app.name === 'stats'
            ? 'SIP KPIs and RTCP quality as Prometheus metrics'
            : `capturing on ${env.RAW_INTERFACE ?? env.PCAP_FILE}`;
  say(`  ${app.name.padEnd(12)} ${where}; metrics http://127.0.0.1:${app.port}/metrics, health http://127.0.0.1:${app.port}/healthz`);
}
say(`capture flag: Redis key ${env.CAPTURE_FLAG_KEY ?? 'capture_on'} (turn it on with: npx sipcap capture on)`);
say(`try it: npx sipcap capture on && npx sipcap replay samples/sample-calls.pcap --to 127.0.0.1:${listen.split(':').pop()} --now`);
say('Ctrl-C stops everything');

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping the apps');
  await Promise.all(
    children.map(({ child }) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 35_000).unref();
          }),
    ),
  );
  if (startedKafka) kafkaSh('stop');
  say('stopped');
  process.exit(code);
}
