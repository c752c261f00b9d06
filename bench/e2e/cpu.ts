import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU time (user + system, in seconds) a process has used so far; 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Pids whose command name (/proc/<pid>/comm) is `comm`. */
export function pidsByComm(comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The JVM pids of a scripts/kafka.sh instance: one broker, or the nodes of a cluster. */
export function kafkaPids(instance = 'default'): number[] {
  const pids: number[] = [];
  for (const f of [`.kafka/${instance}/kafka.pid`, ...[1, 2, 3].map((n) => `.kafka/${instance}/node${n}/kafka.pid`)]) {
    try {
      pids.push(Number(readFileSync(f, 'utf8')));
    } catch {
      // not this layout
    }
  }
  return pids;
}

/** A process and its children (a hep-agent's workers), by the parent pid in /proc/<pid>/stat. */
export function withChildren(pid: number): number[] {
  const out = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Machine-wide busy and total jiffies (/proc/stat "cpu" line). */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * CPU used by named groups of processes between `start()` and `stop()`, as a share of one core
 * (100 % = one core busy the whole time), plus the machine's overall busy share of its cores.
 */
export class CpuMeter {
  private t0 = 0;
  private base = new Map<string, Map<number, number>>();
  private m0 = machineCpu();

  constructor(private readonly groups: () => Record<string, number[]>) {}

  start(): void {
    this.t0 = performance.now();
    this.m0 = machineCpu();
    this.base = new Map(Object.entries(this.groups()).map(([g, pids]) => [g, new Map(pids.map((p) => [p, processCpuSeconds(p)]))]));
  }

  /**
   * `pct`: each group's share of one core; `others`: what the rest of the machine used (other users'
   * jobs, the kernel's softirq work for loopback traffic), in the same unit.
   */
  stop(): { seconds: number; machineBusyPct: number; pct: Record<string, number> } {
    const seconds = (performance.now() - this.t0) / 1000;
    const m1 = machineCpu();
    const pct: Record<string, number> = {};
    for (const [g, pids] of Object.entries(this.groups())) {
      const before = this.base.get(g) ?? new Map<number, number>();
      let used = 0;
      for (const p of pids) used += processCpuSeconds(p) - (before.get(p) ?? 0);
      pct[g] = seconds > 0 ? Math.round((used / seconds) * 100) : 0;
    }
    const machineBusyPct = m1.total > this.m0.total ? Math.round(((m1.busy - this.m0.busy) / (m1.total - this.m0.total)) * 100) : 0;
    const ours = Object.values(pct).reduce((a, b) => a + b, 0);
    pct.others = Math.max(0, Math.round(machineBusyPct * cpus().length - ours));
    return { seconds, machineBusyPct, pct };
  }
}
