import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { waitFor } from './kafka';

/** Bencode (rtpengine's ng protocol): strings, whole numbers, lists and dictionaries (keys sorted). */
export function bencode(v: unknown): string {
  if (typeof v === 'number') return `i${Math.trunc(v)}e`;
  if (typeof v === 'string') return `${Buffer.byteLength(v)}:${v}`;
  if (Array.isArray(v)) return `l${v.map(bencode).join('')}e`;
  const o = v as Record<string, unknown>;
  return `d${Object.keys(o)
    .sort()
    .map((k) => bencode(k) + bencode(o[k]))
    .join('')}e`;
}

/** Bdecode of an ng reply (bytes as latin1 text so that lengths count bytes). */
export function bdecode(text: string): unknown {
  let i = 0;
  const value = (): unknown => {
    const c = text[i];
    if (c === 'i') {
      const end = text.indexOf('e', i);
      const n = Number(text.slice(i + 1, end));
      i = end + 1;
      return n;
    }
    if (c === 'l' || c === 'd') {
      i++;
      const items: unknown[] = [];
      while (text[i] !== 'e') {
        if (i >= text.length) throw new Error('bencode: unterminated list');
        items.push(value());
      }
      i++;
      if (c === 'l') return items;
      const o: Record<string, unknown> = {};
      for (let k = 0; k < items.length; k += 2) o[String(items[k])] = items[k + 1];
      return o;
    }
    const colon = text.indexOf(':', i);
    const len = Number(text.slice(i, colon));
    if (colon < 0 || !Number.isInteger(len)) throw new Error(`bencode: bad string at ${i}`);
    const s = text.slice(colon + 1, colon + 1 + len);
    i = colon + 1 + len;
    return Buffer.from(s, 'latin1').toString('utf8');
  };
  return value();
}

/** The `result` and `sdp` of an ng reply. */
export function ngReply(text: string): { result: string; sdp?: string; [k: string]: unknown } {
  const o = bdecode(text) as Record<string, unknown>;
  return { ...o, result: String(o.result ?? ''), sdp: typeof o.sdp === 'string' ? o.sdp : undefined };
}

export interface Rtpengine {
  child: ChildProcess;
  output(): string;
  /** One ng command (offer, answer, delete, ...); resolves with the reply. */
  ng(command: Record<string, unknown>): Promise<ReturnType<typeof ngReply>>;
  stop(): Promise<void>;
}

/**
 * Debian's userspace rtpengine (no kernel table: --table=-1) on 127.0.0.1, media ports portMin..portMax,
 * the ng control protocol on ngPort, and RTCP statistics sent to HOMER over HEP/UDP (--homer).
 */
export async function startRtpengine(o: {
  ngPort: number;
  portMin: number;
  portMax: number;
  homerPort: number;
  homerId: number;
}): Promise<Rtpengine> {
  const child = spawn(
    'rtpengine',
    [
      '--config-file=none',
      '--foreground',
      '--log-stderr',
      '--log-level=7',
      '--table=-1',
      '--no-redis-required',
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${o.ngPort}`,
      `--port-min=${o.portMin}`,
      `--port-max=${o.portMax}`,
      `--homer=127.0.0.1:${o.homerPort}`,
      '--homer-protocol=udp',
      `--homer-id=${o.homerId}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const pending = new Map<string, (reply: string) => void>();
  sock.on('message', (m) => {
    const text = m.toString('latin1');
    const sp = text.indexOf(' ');
    pending.get(text.slice(0, sp))?.(text.slice(sp + 1));
  });
  let n = 0;
  const ng = async (command: Record<string, unknown>) => {
    const cookie = `c${process.pid}-${n++}`;
    const msg = Buffer.from(`${cookie} ${bencode(command)}`, 'utf8');
    // UDP: resend until rtpengine answers (it may still be starting).
    const reply = await waitFor(
      `rtpengine's answer to ${String(command.command)}`,
      () => {
        let got: string | undefined;
        pending.set(cookie, (r) => (got = r));
        sock.send(msg, o.ngPort, '127.0.0.1');
        return new Promise<string | undefined>((resolve) => setTimeout(() => resolve(got), 200));
      },
      15_000,
      0,
    );
    pending.delete(cookie);
    return ngReply(reply);
  };
  return {
    child,
    output: () => out,
    ng,
    stop: async () => {
      sock.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
