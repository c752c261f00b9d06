import { ConfigError, loadConfig, type SettingName, type Settings } from '@sipcap/config';
import type { CliIo } from './cli-io';
import { UsageError } from './cli-errors';

/**
 * The settings a command reads, from the environment (and `.env`), validated like the apps do. A bad
 * value is a usage error: the message names the variable and what it expects.
 */
export function loadSettings<K extends SettingName>(io: CliIo, command: string, names: readonly K[]): Pick<Settings, K> {
  try {
    return loadConfig(names, { env: io.env });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${e.message} (fix the environment variable or .env)`, command);
    throw e;
  }
}
