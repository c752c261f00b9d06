import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io';
import { runCli, VERSION } from './run-cli';

/** Runs the CLI in-process with captured output; these cases never reach a server. */
async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false, errColumns: 80, env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('runCli', () => {
  it('prints the version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await run(flag);
      expect(r).toMatchObject({ code: 0, out: `sipcap ${VERSION}\n` });
    }
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints help for every command, both ways', async () => {
    for (const cmd of ['capture', 'status', 'replay', 'db init', 'db stats']) {
      const viaHelp = await run('help', ...cmd.split(' '));
      const viaFlag = await run(...cmd.split(' '), '--help');
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toContain(`Usage: sipcap ${cmd}`);
      expect(viaFlag).toEqual(viaHelp);
    }
    expect((await run('-h')).out).toContain('Commands:');
    expect((await run('db', '-h')).out).toContain('Usage: sipcap db <init|stats>');
  });

  it.each([
    [[], 'name a command'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['--bogus'], 'unknown option --bogus'],
    [['help', 'nothing'], 'no help for "nothing"'],
    [['capture', 'maybe'], 'expected on, off or clear'],
    [['capture', 'on', 'off'], 'unexpected argument "off"'],
    [['status', '--sample', 'x'], '--sample expects a whole number'],
    [['status', '--sample'], 'option --sample needs a value'],
    [['db'], 'sipcap db init, or sipcap db stats'],
    [['db', 'drop'], 'unknown command "db drop"'],
    [['replay'], 'name the capture file'],
    [['replay', 'x.pcap'], 'say where to send with --to'],
    [['replay', 'x.pcap', '--to', 'nowhere'], '--to expects HOST:PORT'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--transport', 'sctp'], '--transport expects udp or tcp'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--hep', '2', '--transport', 'tcp'], 'go over UDP only'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--hep', '4'], '--hep expects 3 or 2 or 1'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--rate=-5'], '--rate expects a whole number'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--rate', '-5'], 'option --rate needs a value; write --rate=VALUE'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--rate', '10', '--realtime'], 'leave out --rate'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--loop', '0'], '--loop expects a whole number from 1'],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--hep', '1', '--node-id', '3'], 'HEP v1 carries no capture agent id'],
    [
      ['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--hep', '2', '--node-id', '70000'],
      '--node-id expects a whole number from 0 to 65535',
    ],
    [['replay', 'x.pcap', '--to', '127.0.0.1:9060', '--hep', '2', '--auth-key', 'k'], 'only HEP v3 carries an auth key'],
  ])('%j is a usage error (exit 2) saying %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
    expect(r.err).toMatch(/Run "sipcap help( [a-z ]+)?" for usage\.\n$/);
  });

  it('a bad setting is a usage error naming the variable', async () => {
    let err = '';
    const io: CliIo = { out: () => undefined, err: (t) => (err += t), errIsTty: false, errColumns: 80, env: { REDIS_URL: 'http://x' } };
    expect(await runCli(['capture'], io)).toBe(2);
    expect(err).toContain('invalid setting REDIS_URL');
  });

  it('a missing capture file is a runtime failure (exit 1)', async () => {
    const r = await run('replay', '/nonexistent/file.pcap', '--to', '127.0.0.1:9');
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot read /nonexistent/file.pcap');
  });
});
