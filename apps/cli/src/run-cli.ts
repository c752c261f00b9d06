import packageJson from '../../../package.json';
import type { CliIo } from './cli-io';
import { CliFailure, errorText, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './cli-errors';
import { captureCommand } from './commands/capture-command';
import { dbInitCommand } from './commands/db-init-command';
import { dbStatsCommand } from './commands/db-stats-command';
import { replayCommand } from './commands/replay-command';
import { statusCommand } from './commands/status-command';
import { COMMAND_HELP, MAIN_HELP } from './help-text';

export const VERSION: string = packageJson.version;

type Command = (io: CliIo, args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  capture: captureCommand,
  status: statusCommand,
  replay: replayCommand,
  'db init': dbInitCommand,
  'db stats': dbStatsCommand,
};

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let name = '';
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.err(MAIN_HELP);
      throw new UsageError('name a command');
    }
    if (first === '-h' || first === '--help') return printed(io, MAIN_HELP);
    if (first === '-V' || first === '--version' || first === 'version') return printed(io, `sipcap ${VERSION}\n`);
    if (first === 'help') return help(io, rest);
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (options go after the command)`);

    let args = rest;
    name = first;
    if (first === 'db') {
      if (rest[0] === undefined || rest[0].startsWith('-')) {
        if (rest.includes('-h') || rest.includes('--help')) return printed(io, COMMAND_HELP.db);
        throw new UsageError('say what to do: sipcap db init, or sipcap db stats', 'db');
      }
      name = `db ${rest[0]}`;
      args = rest.slice(1);
    }
    const command = COMMANDS[name];
    if (!command) {
      const known = name.startsWith('db ') ? 'db init, db stats' : 'capture, status, replay, db init, db stats, help';
      const what = name;
      name = name.startsWith('db ') ? 'db' : '';
      throw new UsageError(`unknown command "${what}" (commands: ${known})`, name || undefined);
    }
    if (wantsHelp(args)) return printed(io, COMMAND_HELP[name]);
    return await command(io, args);
  } catch (e) {
    const prefix = `sipcap${name ? ` ${name}` : ''}: `;
    if (e instanceof UsageError) {
      const cmd = e.command ?? (name || undefined);
      io.err(`${prefix}${e.message}\nRun "sipcap help${cmd ? ` ${cmd}` : ''}" for usage.\n`);
      return EXIT_USAGE;
    }
    if (e instanceof CliFailure) {
      io.err(`${prefix}${e.message}\n`);
      return EXIT_FAILURE;
    }
    io.err(`${prefix}unexpected error: ${errorText(e)}\n`);
    if (io.env.LOG_LEVEL === 'debug' || io.env.LOG_LEVEL === 'trace') io.err(`${(e as Error)?.stack ?? ''}\n`);
    return EXIT_FAILURE;
  }
}

/** -h / --help anywhere before a `--`. */
function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}

function help(io: CliIo, words: string[]): number {
  if (words.length === 0) return printed(io, MAIN_HELP);
  const topic = words.join(' ');
  const text = COMMAND_HELP[topic];
  if (!text) throw new UsageError(`no help for "${topic}" (commands: capture, status, replay, db init, db stats)`, 'help');
  return printed(io, text);
}

function printed(io: CliIo, text: string): number {
  io.out(text);
  return EXIT_OK;
}
