import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a command, throwing with its stderr on failure. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  try {
    return (await run(cmd, args)).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/**
 * Two hosts in their own network namespaces, A and B, joined by a veth pair (10.203.N.1/24 and .2,
 * fd00:203:N::1/64 and ::2), plus a mirror port: every frame B's interface sends or receives is copied
 * (tc mirred) to a veth pair whose far end, `captureIface`, sits in the root namespace without any
 * address, where the agent under test captures. Test traffic flows only between A and B; the root
 * namespace gets no address and no route. A second veth pair, `injectIface` (in B) to `injectCapture`
 * (root, no address), carries hand-built frames (VLAN tags: this kernel has no 802.1Q module).
 */
export class MirrorLab {
  readonly id = randomBytes(3).toString('hex');
  readonly net = randomInt(1, 250);
  readonly nsA = `sipcap-${this.id}-a`;
  readonly nsB = `sipcap-${this.id}-b`;
  readonly ipA = `10.203.${this.net}.1`;
  readonly ipB = `10.203.${this.net}.2`;
  readonly ip6A = `fd00:203:${this.net}::1`;
  readonly ip6B = `fd00:203:${this.net}::2`;
  /** Interface names stay within 15 characters. */
  readonly ifA = `sc${this.id}a`;
  readonly ifB = `sc${this.id}b`;
  readonly mirrorIn = `sc${this.id}m`;
  readonly captureIface = `sc${this.id}r`;
  readonly injectIface = `sc${this.id}i`;
  readonly injectCapture = `sc${this.id}j`;
  private readonly children: ChildProcess[] = [];

  async create(): Promise<void> {
    const { nsA, nsB } = this;
    await sh('ip', 'netns', 'add', nsA);
    await sh('ip', 'netns', 'add', nsB);
    for (const ns of [nsA, nsB]) await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    await sh('ip', 'link', 'add', this.ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', this.ifB, 'netns', nsB);
    await sh('ip', '-n', nsA, 'addr', 'add', `${this.ipA}/24`, 'dev', this.ifA);
    await sh('ip', '-n', nsB, 'addr', 'add', `${this.ipB}/24`, 'dev', this.ifB);
    await sh('ip', '-n', nsA, '-6', 'addr', 'add', `${this.ip6A}/64`, 'dev', this.ifA, 'nodad');
    await sh('ip', '-n', nsB, '-6', 'addr', 'add', `${this.ip6B}/64`, 'dev', this.ifB, 'nodad');
    await sh('ip', '-n', nsA, 'link', 'set', this.ifA, 'up');
    await sh('ip', '-n', nsB, 'link', 'set', this.ifB, 'up');

    // The mirror port: B's traffic, both directions, copied to captureIface in the root namespace.
    await sh('ip', 'link', 'add', this.mirrorIn, 'netns', nsB, 'type', 'veth', 'peer', 'name', this.captureIface);
    await this.quietRootIface(this.captureIface);
    await sh('ip', '-n', nsB, 'link', 'set', this.mirrorIn, 'up');
    await sh('ip', 'netns', 'exec', nsB, 'tc', 'qdisc', 'add', 'dev', this.ifB, 'clsact');
    for (const dir of ['ingress', 'egress']) {
      await sh(
        'ip',
        'netns',
        'exec',
        nsB,
        'tc',
        'filter',
        'add',
        'dev',
        this.ifB,
        dir,
        'u32',
        'match',
        'u32',
        '0',
        '0',
        'action',
        'mirred',
        'egress',
        'mirror',
        'dev',
        this.mirrorIn,
      );
    }

    // The injection pair for hand-built frames.
    await sh('ip', 'link', 'add', this.injectIface, 'netns', nsB, 'type', 'veth', 'peer', 'name', this.injectCapture);
    await this.quietRootIface(this.injectCapture);
    await sh('ip', '-n', nsB, 'link', 'set', this.injectIface, 'up');
  }

  /** Up, without IPv6 autoconfiguration chatter: it only ever receives copies. */
  private async quietRootIface(name: string): Promise<void> {
    await sh('sysctl', '-q', '-w', `net.ipv6.conf.${name}.disable_ipv6=1`).catch(() => undefined);
    await sh('ip', 'link', 'set', name, 'up');
  }

  /** Starts UDP and TCP listeners on the given port(s) in both namespaces (so nothing answers with ICMP). */
  async serve(ports: number[]): Promise<void> {
    for (const [ns, ip, ip6] of [
      [this.nsA, this.ipA, this.ip6A],
      [this.nsB, this.ipB, this.ip6B],
    ] as const) {
      const spec = {
        serve: ports.flatMap((port) => [
          { ip, port },
          { ip: ip6, port },
        ]),
      };
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, 'test/support/sip-traffic.mjs', JSON.stringify(spec)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      this.children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`traffic server in ${ns} exited (${code})`)));
      });
    }
  }

  /** Runs a traffic script (see sip-traffic.mjs) in a namespace and waits for it. */
  async send(ns: string, steps: unknown[]): Promise<void> {
    await sh('ip', 'netns', 'exec', ns, process.execPath, 'test/support/sip-traffic.mjs', JSON.stringify({ send: steps }));
  }

  /** Sends packets with raw-send.py in a namespace (mode 'ipip' <dst> or 'ether' <iface>). */
  async rawSend(ns: string, mode: 'ipip' | 'ether', target: string, packets: Buffer[]): Promise<void> {
    const input = Buffer.concat(
      packets.flatMap((p) => [Buffer.from([p.length >>> 24, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255]), p]),
    );
    const child = spawn('ip', ['netns', 'exec', ns, 'python3', 'test/support/raw-send.py', mode, target], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin!.end(input);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`raw-send.py ${mode} failed (${code}): ${err}`);
  }

  /** Removes the namespaces (and with them every interface made here). Safe to call after a failed create. */
  async destroy(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of [this.nsA, this.nsB]) await sh('ip', 'netns', 'del', ns).catch(() => undefined);
    // The root ends go with their peers; make sure anyway.
    for (const name of [this.captureIface, this.injectCapture]) await sh('ip', 'link', 'del', name).catch(() => undefined);
  }
}
