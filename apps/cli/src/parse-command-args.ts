import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Every command takes -h / --help. */
const HELP: Options = { help: { type: 'boolean', short: 'h' } };

/**
 * util.parseArgs in strict mode, with -h/--help added and its errors turned into a UsageError whose
 * message is one short line naming the option (node's own messages run to three lines).
 */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...HELP, ...options } as O & typeof HELP, strict: true, allowPositionals: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = (e as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const name = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new UsageError(`unknown option ${name}`, command);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = /'(-[^' ]+)/.exec(message)?.[1];
      const dash = /ambiguous/.test(message) && name ? `; write ${name}=VALUE for a value that starts with "-"` : '';
      throw new UsageError(name ? `option ${name} needs a value${dash}` : message.split('\n')[0], command);
    }
    throw new UsageError(message.split('\n')[0], command);
  }
}

/** A whole number option in [min, max]; `undefined` gives the default. */
export function intOption(command: string, name: string, value: string | undefined, dflt: number, min: number, max: number): number {
  if (value === undefined) return dflt;
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} expects a whole number from ${min} to ${max}, got "${value}"`, command);
  }
  return Number(v);
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(
  command: string,
  name: string,
  value: string | undefined,
  choices: readonly T[],
  dflt: T,
): T {
  if (value === undefined) return dflt;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} expects ${choices.join(' or ')}, got "${value}"`, command);
  }
  return value as T;
}

/** Refuses positional arguments beyond `max`. */
export function noExtraArgs(command: string, positionals: string[], max: number): void {
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`, command);
}
