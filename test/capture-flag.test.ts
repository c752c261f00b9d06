// The capture flag and the agent reports against real Redis: the shared one for the normal paths, and
// throw-away redis-server processes for a managed-like Redis (no CONFIG) and for an outage.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AgentReporter, listAgents } from '@sipcap/fleet';
import { CaptureFlag, clearCaptureFlag, readCaptureFlag, setCaptureFlag, type CaptureFlagOptions, type Logger } from '@sipcap/capture-flag';
import { reachable, SERVERS } from './support/servers';

const SHARED_URL = `redis://${SERVERS.redis.host}:${SERVERS.redis.port}`;

let admin: Redis;
const keys = new Set<string>();
const flags: CaptureFlag[] = [];
const latencies: number[] = [];

function uniqueKey(): string {
  const key = `capture_on_test_${randomBytes(6).toString('hex')}`;
  keys.add(key);
  return key;
}

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg: string) => entries.push({ level, obj: obj as Record<string, unknown>, msg });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

async function startFlag(options: Partial<CaptureFlagOptions> & { key: string; defaultOn: boolean }): Promise<CaptureFlag> {
  const flag = new CaptureFlag({ redisUrl: SHARED_URL, ...options });
  flags.push(flag);
  await flag.start();
  return flag;
}

/** Resolves with the ms from `t0` to the flag's next 'change' to `on`; rejects after `timeoutMs`. */
function changeTo(flag: CaptureFlag, on: boolean, t0: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      flag.off('change', listener);
      reject(new Error(`no change to ${on ? 'on' : 'off'} within ${timeoutMs} ms (state ${JSON.stringify(flag.state)})`));
    }, timeoutMs);
    const listener = (value: boolean) => {
      if (value !== on) return;
      clearTimeout(timer);
      flag.off('change', listener);
      resolve(performance.now() - t0);
    };
    flag.on('change', listener);
  });
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server without persistence, so stopping it loses every key. */
class PrivateRedis {
  private proc?: ChildProcess;
  constructor(
    public port: number,
    private readonly extraArgs: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.extraArgs],
      {
        stdio: 'ignore',
      },
    );
    this.proc = proc;
    const end = Date.now() + 10_000;
    while (!(await reachable('127.0.0.1', this.port, 200))) {
      if (proc.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${proc.exitCode}`);
      if (Date.now() > end) throw new Error(`redis-server on ${this.port} did not start`);
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
}

beforeAll(() => {
  admin = new Redis(SHARED_URL);
});

afterEach(async () => {
  await Promise.all(flags.splice(0).map((f) => f.stop()));
});

afterAll(async () => {
  if (keys.size) await admin.del(...keys);
  await admin.quit();
  if (latencies.length) {
    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `capture flag flip latency over ${sorted.length} observations: min ${ms(sorted[0])}, median ${ms(sorted[Math.floor(sorted.length / 2)])}, max ${ms(sorted[sorted.length - 1])}`,
    );
  }
});

describe('CaptureFlag on the shared Redis', () => {
  it('sees every flip of the key in two instances within 500 ms each', async () => {
    const key = uniqueKey();
    const a = await startFlag({ key, defaultOn: false, rereadMs: 60_000 });
    const b = await startFlag({ key, defaultOn: false, rereadMs: 60_000 });
    expect(a.notifyMode).toBe('keyspace');
    expect([a.isOn(), b.isOn()]).toEqual([false, false]);

    // Plain SETs as `redis-cli set` does (keyspace notifications), then the CLI's way (SET + publish).
    const flips: Array<[boolean, (on: boolean) => Promise<unknown>]> = [
      [true, (on) => admin.set(key, on ? 'on' : 'off')],
      [false, (on) => admin.set(key, on ? 'on' : 'off')],
      [true, (on) => admin.set(key, on ? '1' : '0')],
      [false, (on) => admin.set(key, on ? 'ON' : 'OFF')],
      [true, (on) => setCaptureFlag(admin, key, on)],
      [false, (on) => setCaptureFlag(admin, key, on)],
    ];
    for (const [on, write] of flips) {
      const t0 = performance.now();
      const seen = Promise.all([changeTo(a, on, t0, 2000), changeTo(b, on, t0, 2000)]);
      await write(on);
      const [la, lb] = await seen;
      latencies.push(la, lb);
      expect(la).toBeLessThan(500);
      expect(lb).toBeLessThan(500);
      for (const f of [a, b]) expect(f.state).toMatchObject({ on, source: 'redis', redisConnected: true });
    }
    expect(await readCaptureFlag(admin, key)).toBe('off');
  });

  it('follows defaultOn while the key is absent', async () => {
    for (const defaultOn of [true, false]) {
      const key = uniqueKey();
      const flag = await startFlag({ key, defaultOn });
      expect(flag.isOn()).toBe(defaultOn);
      expect(flag.state).toMatchObject({ on: defaultOn, source: 'default', redisConnected: true });
      expect(await readCaptureFlag(admin, key)).toBeNull();
    }
  });

  it('reads the key at start, and returns to the default when it is deleted', async () => {
    const key = uniqueKey();
    await admin.set(key, 'off');
    const states: unknown[] = [];
    const flag = await startFlag({ key, defaultOn: true, rereadMs: 60_000, onState: (s) => states.push(s) });
    expect(flag.state).toMatchObject({ on: false, source: 'redis', redisConnected: true });
    expect(states.at(-1)).toEqual(flag.state);

    const t0 = performance.now();
    const seen = changeTo(flag, true, t0, 2000);
    await admin.del(key);
    expect(await seen).toBeLessThan(500);
    expect(flag.state).toMatchObject({ on: true, source: 'default' });
    expect(states.at(-1)).toEqual(flag.state);
  });

  it('returns to the default when the key expires', async () => {
    const key = uniqueKey();
    await admin.set(key, 'on');
    const flag = await startFlag({ key, defaultOn: false, rereadMs: 60_000 });
    expect(flag.isOn()).toBe(true);
    const seen = changeTo(flag, false, performance.now(), 3000);
    await admin.pexpire(key, 100);
    await seen;
    expect(flag.state.source).toBe('default');
  });

  it('keeps its state on a bad value and warns once per distinct bad value', async () => {
    const key = uniqueKey();
    await admin.set(key, 'on');
    const log = memoryLogger();
    const flag = await startFlag({ key, defaultOn: false, rereadMs: 60_000, log });
    const badWarnings = (value: string) => log.entries.filter((e) => e.level === 'warn' && e.obj.value === value).length;

    await admin.set(key, 'maybe');
    await until('the bad value warning', () => badWarnings('maybe') === 1, 2000);
    expect(flag.state).toMatchObject({ on: true, source: 'redis' });

    await admin.set(key, 'maybe'); // notified and re-read again: no second warning
    await admin.set(key, 'yes');
    // Notifications are handled in order, so once 'off' is seen both bad values were read before it.
    const seen = changeTo(flag, false, performance.now(), 2000);
    await admin.set(key, 'off');
    await seen;
    expect(badWarnings('maybe')).toBe(1);
    expect(badWarnings('yes')).toBe(1);
  });
});

describe('CaptureFlag on a Redis that refuses CONFIG (managed Redis)', () => {
  const server = new PrivateRedis(0, ['--rename-command', 'CONFIG', '', '--notify-keyspace-events', '']);
  let privateAdmin: Redis;

  beforeAll(async () => {
    server.port = await freePort();
    await server.start();
    privateAdmin = new Redis(server.url);
  });

  afterAll(async () => {
    privateAdmin?.disconnect();
    await server.stop();
  });

  it('falls back to the <key>:changed channel the CLI publishes on', async () => {
    const key = uniqueKey();
    const log = memoryLogger();
    const flag = await startFlag({ redisUrl: server.url, key, defaultOn: false, rereadMs: 60_000, log });
    expect(flag.notifyMode).toBe('channel');
    expect(log.entries.some((e) => e.level === 'warn' && /keyspace notifications/.test(e.msg))).toBe(true);

    // Proof that nothing else tells the flag: a plain SET goes unnoticed (no keyspace events, no re-read yet).
    await privateAdmin.set(key, 'on');
    await sleep(600);
    expect(flag.isOn()).toBe(false);

    let t0 = performance.now();
    let seen = changeTo(flag, true, t0, 2000);
    expect(await setCaptureFlag(privateAdmin, key, true)).toBe(1); // one subscriber: this flag
    const latency = await seen;
    latencies.push(latency);
    expect(latency).toBeLessThan(500);

    t0 = performance.now();
    seen = changeTo(flag, false, t0, 2000);
    await setCaptureFlag(privateAdmin, key, false);
    expect(await seen).toBeLessThan(500);

    await setCaptureFlag(privateAdmin, key, true);
    await until('on', () => flag.isOn(), 2000);
    seen = changeTo(flag, false, performance.now(), 2000);
    await clearCaptureFlag(privateAdmin, key);
    expect(await seen).toBeLessThan(500);
    expect(flag.state.source).toBe('default');
  });

  it('still picks up a plain SET through the periodic re-read', async () => {
    const key = uniqueKey();
    const flag = await startFlag({ redisUrl: server.url, key, defaultOn: false, rereadMs: 200 });
    const seen = changeTo(flag, true, performance.now(), 2000);
    await privateAdmin.set(key, 'on');
    expect(await seen).toBeLessThan(1000);
  });
});

describe('CaptureFlag through a Redis outage', () => {
  it('keeps the last known state while Redis is down and picks up a change made meanwhile', async () => {
    const server = new PrivateRedis(await freePort());
    const unhandled = vi.spyOn(console, 'error');
    try {
      await server.start();
      const key = uniqueKey();
      const log = memoryLogger();
      const flag = await startFlag({ redisUrl: server.url, key, defaultOn: false, rereadMs: 60_000, maxBackoffMs: 1000, log });
      const privateAdmin = new Redis(server.url, { lazyConnect: true, retryStrategy: () => 100 });
      privateAdmin.on('error', () => {});
      await privateAdmin.connect();

      let seen = changeTo(flag, true, performance.now(), 2000);
      await privateAdmin.set(key, 'on');
      await seen;

      await server.stop();
      await until('the outage to be noticed', () => !flag.state.redisConnected, 5000);
      expect(flag.isOn()).toBe(true);
      expect(flag.state).toMatchObject({ on: true, source: 'last-known', redisConnected: false });

      await sleep(3000); // several reconnect attempts
      const outageWarnings = log.entries.filter((e) => e.level === 'warn' && /unreachable/.test(e.msg));
      expect(outageWarnings).toHaveLength(1);
      expect(flag.state).toMatchObject({ on: true, source: 'last-known', redisConnected: false });

      // The restarted server has lost the key; set the opposite value as soon as it is up. The flag may
      // reconnect first (its retries race server.start's polling) and fall back to its default (off)
      // before the SET: listen from before the restart, then wait for the value read from Redis.
      seen = changeTo(flag, false, performance.now(), 10_000);
      await server.start();
      await privateAdmin.set(key, 'off');
      await seen;
      await until('the value read from the restarted server', () => flag.state.redisConnected && flag.state.source === 'redis', 5000);
      expect(flag.state).toMatchObject({ on: false, source: 'redis', redisConnected: true });
      expect(log.entries.some((e) => e.level === 'info' && /reachable again/.test(e.msg))).toBe(true);

      // The restarted server forgot the CONFIG SET: the flag set it again and re-subscribed, so a plain
      // SET is seen at once again.
      const end = Date.now() + 2000;
      while (!((await privateAdmin.config('GET', 'notify-keyspace-events')) as string[])[1].includes('K')) {
        if (Date.now() > end) throw new Error('notify-keyspace-events was not set again after the restart');
        await sleep(20);
      }
      const t0 = performance.now();
      seen = changeTo(flag, true, t0, 2000);
      await privateAdmin.set(key, 'on');
      expect(await seen).toBeLessThan(500);

      privateAdmin.disconnect();
      const ioredisUnhandled = unhandled.mock.calls.filter((args) => String(args[0]).includes('Unhandled error event'));
      expect(ioredisUnhandled).toEqual([]);
    } finally {
      unhandled.mockRestore();
      await Promise.all(flags.splice(0).map((f) => f.stop()));
      await server.stop();
    }
  });

  it('starts on CAPTURE_ON when Redis is unreachable, without throwing', async () => {
    const port = await freePort(); // nothing listens there
    const log = memoryLogger();
    const flag = await startFlag({ redisUrl: `redis://127.0.0.1:${port}`, key: uniqueKey(), defaultOn: true, startTimeoutMs: 500, log });
    expect(flag.state).toMatchObject({ on: true, source: 'default', redisConnected: false });
    await sleep(1200);
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
  });
});

describe('AgentReporter and listAgents', () => {
  const node = `test-node-${randomBytes(4).toString('hex')}`;

  it('writes the report with a TTL, refreshes it, and removes it on stop', async () => {
    let received = 0;
    let on = true;
    const reporter = new AgentReporter({
      redis: admin,
      node,
      app: 'hep-agent',
      intervalMs: 200,
      captureOn: () => on,
      counters: () => ({ received: (received += 10), dropped: 1 }),
    });
    keys.add(reporter.key);
    await reporter.start();
    try {
      expect(reporter.key).toBe(`sipcap:agent:${node}:hep-agent`);
      const ttl = await admin.pttl(reporter.key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600);

      const first = (await listAgents(admin)).find((r) => r.node === node);
      expect(first).toMatchObject({
        node,
        app: 'hep-agent',
        pid: process.pid,
        captureOn: true,
        intervalMs: 200,
        counters: { received: 10, dropped: 1 },
      });
      expect(first!.host.length).toBeGreaterThan(0);
      expect(Date.parse(first!.startedAt)).toBeLessThanOrEqual(Date.parse(first!.updatedAt));

      on = false;
      await sleep(450);
      const later = (await listAgents(admin)).find((r) => r.node === node)!;
      expect(later.captureOn).toBe(false);
      expect(later.counters.received).toBeGreaterThan(10);
      expect(Date.parse(later.updatedAt)).toBeGreaterThan(Date.parse(first!.updatedAt));
      expect(later.startedAt).toBe(first!.startedAt);
    } finally {
      await reporter.stop();
    }
    expect((await listAgents(admin)).some((r) => r.node === node)).toBe(false);
  });

  it('lists several agents sorted, and drops one whose report expired', async () => {
    const crashed = new AgentReporter({ redis: admin, node, app: 'ipip-agent', intervalMs: 100, ttlMs: 300, captureOn: () => true });
    const alive = new AgentReporter({ redis: admin, node, app: 'hep-agent', intervalMs: 100, ttlMs: 300, captureOn: () => true });
    keys.add(crashed.key).add(alive.key);
    await Promise.all([crashed.start(), alive.start()]);
    try {
      const apps = (await listAgents(admin)).filter((r) => r.node === node).map((r) => r.app);
      expect(apps).toEqual(['hep-agent', 'ipip-agent']);

      await crashed.stop({ remove: false }); // as if it died: the report stays until its TTL
      expect((await listAgents(admin)).filter((r) => r.node === node).map((r) => r.app)).toEqual(['hep-agent', 'ipip-agent']);
      await sleep(500);
      expect((await listAgents(admin)).filter((r) => r.node === node).map((r) => r.app)).toEqual(['hep-agent']);
    } finally {
      await alive.stop();
      await crashed.stop();
    }
  });

  it('logs a failed write once and never throws', async () => {
    const port = await freePort(); // nothing listens there
    const log = memoryLogger();
    const reporter = new AgentReporter({
      redisUrl: `redis://127.0.0.1:${port}`,
      node,
      app: 'x-agent',
      intervalMs: 100,
      captureOn: () => true,
      log,
    });
    await expect(reporter.start()).resolves.toBeUndefined();
    expect(await reporter.report()).toBe(false);
    await sleep(350);
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
    await expect(reporter.stop()).resolves.toBeUndefined();
  });
});
