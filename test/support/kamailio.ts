import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './kafka';

/** Where Debian's kamailio package puts its modules. */
export const KAMAILIO_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules/';

export interface Kamailio {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs Debian's kamailio in the foreground (-DD -E) with the given configuration text, one worker per
 * transport and small memory pools (a shared 2-core machine), its runtime files in a temporary directory.
 * Resolves once it has logged its listening sockets; fails with its log if it exits first.
 */
export async function startKamailio(cfg: string, name: string): Promise<Kamailio> {
  const dir = mkdtempSync(join(tmpdir(), `kamailio-${name}-`));
  const file = join(dir, 'kamailio.cfg');
  writeFileSync(file, cfg);
  const child = spawn('kamailio', ['-f', file, '-DD', '-E', '-m', '24', '-M', '4', '-Y', dir, '-w', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    await waitFor(
      `kamailio ${name} started`,
      () => {
        if (exited) throw new Error(`kamailio ${name} exited:\n${out}`);
        // The main process logs its sockets and then its process count; readiness is probed by the caller.
        return /Listening on/.test(out) && /processes \(at least\)/.test(out) ? true : undefined;
      },
      30_000,
      100,
    );
  } catch (e) {
    child.kill('SIGKILL');
    // Its workers outlive a SIGKILLed main process (and would hold the ports): end them by their config path.
    spawnSync('pkill', ['-KILL', '-f', file]);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    child,
    output: () => out,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A proxy that answers every request 200 OK (sl) and mirrors everything it receives and sends to a HEP
 * server through siptrace (trace_mode 1: core events, the way a production siptrace setup mirrors all traffic).
 */
export function siptraceConfig(o: {
  sipPort: number;
  hepPort: number;
  hepVersion: 1 | 2 | 3;
  captureId: number;
  hepTcp?: boolean;
}): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
listen=udp:127.0.0.1:${o.sipPort}
listen=tcp:127.0.0.1:${o.sipPort}
mpath="${KAMAILIO_MODULES}"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "siptrace.so"
modparam("siptrace", "duplicate_uri", "sip:127.0.0.1:${o.hepPort}${o.hepTcp ? ';transport=tcp' : ''}")
modparam("siptrace", "hep_mode_on", 1)
modparam("siptrace", "hep_version", ${o.hepVersion})
modparam("siptrace", "hep_capture_id", ${o.captureId})
modparam("siptrace", "trace_to_database", 0)
modparam("siptrace", "trace_on", 1)
modparam("siptrace", "trace_mode", 1)
request_route {
  sl_send_reply("200", "OK");
  exit;
}
`;
}
