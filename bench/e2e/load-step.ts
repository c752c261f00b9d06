import { spawn } from 'node:child_process';
import { CpuMeter } from './cpu';
import { socketDrops, udpCounters, udpDelta, type UdpCounters } from './udp-stats';

/** What the sender printed. */
export interface SendResult {
  sent: number;
  seconds: number;
  rate: number;
  errors: number;
  maxBehindMs: number;
  startMs: number;
  endMs: number;
}

/** What a step needs of the capture node under test. */
export interface CaptureNode {
  port: number;
  /** Messages stored so far (a cheap query); negative when it cannot be read now. */
  progress(): Promise<number>;
  /** Work still queued inside the node (0 when idle). */
  pending(): Promise<number>;
  /** Processes to account CPU to, by group name. */
  cpuGroups(): Record<string, number[]>;
}

export interface StepOptions {
  sender: string;
  loadFile: string;
  count: number;
  /** Messages per second; 0: as fast as the sender can. */
  rate: number;
  /** No progress for this long and nothing pending: the node is done (what is missing is lost). */
  stableMs: number;
  /** Give up waiting this long after the last packet. */
  drainTimeoutMs: number;
  /** Fault injections, at a time after the start of sending. */
  actions?: { atMs: number; name: string; run: () => Promise<void> }[];
  log: (s: string) => void;
}

export interface StepResult {
  send: SendResult;
  /** Stored when the last packet was sent. */
  storedAtSendEnd: number;
  /** Stored when the step ended (from the progress signal). */
  stored: number;
  /** From the last packet sent to the last stored row seen, ms (poll granularity 100 ms). */
  lastRowMs: number;
  timedOut: boolean;
  socketDrops: number;
  udp: UdpCounters;
  cpu: ReturnType<CpuMeter['stop']>;
  events: string[];
}

function runSender(opts: StepOptions, port: number): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(opts.sender, [opts.loadFile, String(port), String(opts.count), String(opts.rate), '1000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`sender failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as SendResult);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends `count` packets at `rate` to the node, then watches it store them: done when everything is
 * stored, or nothing moved for `stableMs` with nothing pending, or after `drainTimeoutMs`.
 */
export async function loadStep(node: CaptureNode, opts: StepOptions): Promise<StepResult> {
  const events: string[] = [];
  const drops0 = socketDrops(node.port).drops;
  const udp0 = udpCounters();
  const cpu = new CpuMeter(() => node.cpuGroups());
  cpu.start();
  const t0 = Date.now();
  const actionRuns = (opts.actions ?? []).map(async (a) => {
    await sleep(a.atMs);
    events.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${a.name}`);
    opts.log(`  ${a.name}`);
    await a.run();
  });
  // E2E_TRACE=1: what the node stored, second by second (for finding where time goes).
  const trace = process.env.E2E_TRACE
    ? setInterval(() => {
        void node
          .progress()
          .then(async (p) =>
            opts.log(
              `    t+${((Date.now() - t0) / 1000).toFixed(0)}s stored ${p} pending ${await node.pending().catch(() => -1)} socket drops ${socketDrops(node.port).drops - drops0}`,
            ),
          );
      }, 1000)
    : undefined;
  const send = await runSender(opts, node.port);
  const sendEnd = send.endMs;
  let stored = await node.progress();
  const storedAtSendEnd = Math.max(0, stored);
  let lastIncrease = Date.now();
  let lastStored = stored;
  let timedOut = false;
  for (;;) {
    if (stored >= opts.count) break;
    const now = Date.now();
    if (now - sendEnd > opts.drainTimeoutMs) {
      timedOut = true;
      break;
    }
    if (now - lastIncrease > opts.stableMs && stored >= 0 && (await node.pending()) === 0) break;
    await sleep(100);
    const s = await node.progress();
    if (s > lastStored) {
      lastIncrease = Date.now();
      lastStored = s;
    }
    stored = s < 0 ? stored : s;
  }
  await Promise.all(actionRuns);
  clearInterval(trace);
  // `lastIncrease`: when the final count was first seen (at the first poll when it was already reached).
  const lastRowMs = Math.max(0, lastIncrease - sendEnd);
  return {
    send,
    storedAtSendEnd,
    stored: Math.max(stored, 0),
    lastRowMs,
    timedOut,
    socketDrops: socketDrops(node.port).drops - drops0,
    udp: udpDelta(udp0, udpCounters()),
    cpu: cpu.stop(),
    events,
  };
}
