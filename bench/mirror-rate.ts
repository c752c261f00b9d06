// The live capture rate mirror-agent sustains without drops on this machine.
//   npx esbuild bench/mirror-rate.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/mirror-rate.js --log-level=warning && node dist/bench/mirror-rate.js [children]
// Needs root (network namespace, raw sockets), Kafka on 127.0.0.1:9092 and Redis. Runs about a minute.
//
// A veth pair gets one end in a throw-away namespace (frames are injected there by bench/send-rate.py)
// and the other in the root namespace, without any address, where the bundled mirror-agent captures
// (RAW_SOCK_CHILDREN = the first argument, default 1). Distinct SIP INVITEs (~700-byte frames, 2000
// calls on 2000 address pairs) are sent at rising rates for 4 s each; 1.5 s later the agent's /metrics
// say whether anything was dropped before decoding (sipcap_pcap_dropped_total, the agent's backlog and
// worker queues) and whether decoding caught up. The highest such rate is the capture figure; the
// second figure also requires Kafka to have taken everything (the producer queue drained). KAFKA_*
// variables are passed to the agent (e.g. KAFKA_COMPRESSION=none). Records go to a throw-away topic,
// deleted at the end.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createKafka } from '@sipcap/bus';
import { testing } from '@sipcap/packet';
import pino from 'pino';
import { MirrorLab } from '../test/support/netns';

const STEP_SECONDS = 4;
const SETTLE_MS = 1500;
const BUDGET_MS = 55_000;
const RATES = [2_000, 5_000, 10_000, 20_000, 30_000, 40_000, 60_000, 80_000, 120_000, 160_000];
const children = process.argv[2] ?? '1';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function scrape(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const name = line.slice(0, line.search(/[{ ]/));
    out[name] = (out[name] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

function frames(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 2000; i++) {
    const body = testing.sdpBody(300);
    const sip = testing.sipRequest({ callId: `bench-${i}-${Date.now()}@mirror-rate`, body });
    const frame = testing.buildEthernetIpv4Udp({
      srcIp: `10.${30 + (i >> 8)}.${i & 255}.1`,
      dstIp: '10.29.0.1',
      srcPort: 5062,
      dstPort: 5060,
      payload: sip,
    });
    const len = Buffer.alloc(4);
    len.writeUInt32BE(frame.length);
    parts.push(len, frame);
  }
  return Buffer.concat(parts);
}

function send(ns: string, iface: string, rate: number, seconds: number, input: Buffer): Promise<{ sent: number; rate: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, 'python3', 'bench/send-rate.py', iface, String(rate), String(seconds)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`send-rate.py exited ${code}`))));
    child.stdin.end(input);
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  execFileSync(process.execPath, ['scripts/build-app.mjs', 'mirror-agent'], { stdio: 'inherit' });
  const lab = new MirrorLab();
  const topic = `bench-mirror-rate-${Date.now().toString(36)}`;
  const port = await freePort();
  let agent: ReturnType<typeof spawn> | undefined;
  try {
    await lab.create();
    agent = spawn(process.execPath, ['dist/apps/mirror-agent/main.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        RAW_MONI_CAPTURE_ON: '1',
        RAW_INTERFACE: lab.injectCapture,
        RAW_SOCKET_LISTEN: '0.0.0.0:5060',
        RAW_SOCK_CHILDREN: children,
        KAFKA_TOPIC: topic,
        KAFKA_PARTITIONS: '6',
        CAPTURE_ON: '1',
        CAPTURE_FLAG_KEY: `${topic}-flag`,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(port),
        LOG_LEVEL: 'error',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        // KAFKA_COMPRESSION, KAFKA_BATCH_MAX, ... from the caller's environment, to compare settings.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('KAFKA_') && k !== 'KAFKA_TOPIC')),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (let i = 0; ; i++) {
      try {
        await scrape(port);
        break;
      } catch {
        if (i > 100) throw new Error('the agent did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const input = frames();
    console.log(`mirror-agent, RAW_SOCK_CHILDREN=${children}: ${STEP_SECONDS} s per rate, ~${Math.round(input.length / 2000)}-byte frames`);
    console.log('target/s   sent/s  received  pcap-drop  agent-drop  decode-behind  sip-parsed  kafka-published  kafka-queued  kafka-drop');
    let best = 0;
    let endToEnd = 0;
    for (const rate of RATES) {
      if (Date.now() - started + (STEP_SECONDS * 1000 + SETTLE_MS) > BUDGET_MS) break;
      const before = await scrape(port);
      const sent = await send(lab.nsB, lab.injectIface, rate, STEP_SECONDS, input);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const after = await scrape(port);
      const d = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
      const received = d('sipcap_pcap_received_total');
      const pcapDropped = d('sipcap_pcap_dropped_total');
      // Dropped in the agent before decoding: the inline backlog or the workers' queues were full.
      const agentDropped = d('sipcap_raw_backlog_dropped_total') + d('sipcap_raw_worker_dropped_total');
      const behind = Math.max(0, (after.sipcap_pcap_received_total ?? 0) - (after.sipcap_raw_frames_decoded_total ?? 0));
      const parsed = d('sipcap_sip_parsed_total');
      const published = d('sipcap_kafka_published_total');
      const kafkaDropped = d('sipcap_kafka_dropped_total');
      const queued = after.sipcap_kafka_queue_records ?? 0;
      const col = (v: number, w: number) => String(Math.round(v)).padStart(w);
      console.log(
        `${col(rate, 8)} ${col(sent.rate, 8)} ${col(received, 9)} ${col(pcapDropped, 10)} ${col(agentDropped, 11)} ${col(behind, 14)} ${col(parsed, 11)} ${col(published, 16)} ${col(queued, 13)} ${col(kafkaDropped, 11)}`,
      );
      // Captured: nothing dropped before decoding, and decoding caught up within the settle time.
      const captured = pcapDropped === 0 && agentDropped === 0 && behind <= rate * 0.05;
      if (!captured) break;
      // End to end: Kafka also took (nearly) everything of the step, nothing was lost anywhere.
      if (kafkaDropped === 0 && queued < rate * 0.1 && endToEnd === best) endToEnd = rate;
      // The sender's own ceiling: a rate it could not reach does not count as sustained.
      if (sent.rate < rate * 0.95) {
        console.log(`(the sender reached only ${Math.round(sent.rate)}/s: the agent kept up with everything it was given)`);
        best = Math.max(best, Math.round(sent.rate));
        break;
      }
      best = rate;
    }
    console.log(
      `captured without drops (libpcap or agent) and decoded: ${best} frames/s (SIP messages/s) with RAW_SOCK_CHILDREN=${children}`,
    );
    console.log(`sustained end to end (Kafka kept up, nothing dropped): ${endToEnd} messages/s`);
  } finally {
    if (agent && agent.exitCode === null) {
      // Let it flush to Kafka before the topic goes.
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    await lab.destroy();
    const admin = createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'bench', log: pino({ level: 'silent' }) }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
