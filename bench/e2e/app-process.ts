import { spawn, type ChildProcess } from 'node:child_process';

/** Sums of Prometheus series by metric name, and by name plus label text (`name{reason="x"}`). */
export type Metrics = Map<string, number>;

export function parseMetrics(text: string): Metrics {
  const m: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const series = line.slice(0, sp);
    const value = Number(line.slice(sp + 1));
    if (!Number.isFinite(value)) continue;
    const brace = series.indexOf('{');
    const name = brace < 0 ? series : series.slice(0, brace);
    m.set(name, (m.get(name) ?? 0) + value);
    if (brace >= 0) {
      // Keep each label pair too, so `name{reason="queue_full"}` can be looked up without the app label.
      for (const pair of series.slice(brace + 1, -1).split(',')) {
        if (pair.startsWith('app=')) continue;
        const key = `${name}{${pair}}`;
        m.set(key, (m.get(key) ?? 0) + value);
      }
    }
  }
  return m;
}

/** A sipcap app (dist/apps/<app>/main.js) run by the benchmark, with its log and metrics. */
export class AppProcess {
  readonly child: ChildProcess;
  private out = '';
  private exitedWith: string | undefined;
  readonly exited: Promise<void>;
  private port: number | undefined;

  /** `nice`: the scheduling priority to run it at (negative: ahead of other processes; needs root). */
  constructor(
    readonly name: string,
    app: string,
    env: Record<string, string>,
    nice = 0,
  ) {
    // E2E_CPU_PROF=<dir>: a CPU profile of every app process (node --cpu-prof), written when it stops.
    const prof = process.env.E2E_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.E2E_CPU_PROF}`, `--cpu-prof-name=${app}-${Date.now()}.cpuprofile`]
      : [];
    const argv = [...prof, `dist/apps/${app}/main.js`];
    const [cmd, args] = nice === 0 ? [process.execPath, argv] : ['nice', ['-n', String(nice), process.execPath, ...argv]];
    this.child = spawn(cmd, args, {
      env: {
        PATH: process.env.PATH ?? '',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        METRICS_PORT: '0',
        METRICS_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.out += d.toString();
      // Only the start (ports, settings) and the recent tail matter; a long run must not grow memory.
      if (this.out.length > 4_000_000) this.out = this.out.slice(0, 200_000) + '\n...\n' + this.out.slice(-1_000_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitedWith = signal ?? String(code);
        resolve();
      }),
    );
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.exitedWith === undefined;
  }

  async waitForLog(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.out.includes(text)) {
      if (!this.running) throw new Error(`${this.name} exited (${this.exitedWith}) before logging "${text}":\n${this.out.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log "${text}" within ${timeoutMs} ms:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async metricsPort(): Promise<number> {
    if (this.port !== undefined) return this.port;
    await this.waitForLog('telemetry listening');
    const m = /"metrics":"http:\/\/[^:]+:(\d+)\/metrics"/.exec(this.out);
    if (!m) throw new Error(`no metrics port in the ${this.name} log`);
    this.port = Number(m[1]);
    return this.port;
  }

  async metrics(): Promise<Metrics> {
    const res = await fetch(`http://127.0.0.1:${await this.metricsPort()}/metrics`, { signal: AbortSignal.timeout(5000) });
    return parseMetrics(await res.text());
  }

  /** SIGTERM (graceful: flush and commit), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
