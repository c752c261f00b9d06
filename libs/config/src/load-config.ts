import { existsSync } from 'node:fs';
import { z } from 'zod';
import { SECRET_SETTINGS, SETTINGS, type SettingName, type Settings } from './settings';

/** A wrong setting: `message` is one line that names the variable and says what is expected. */
export class ConfigError extends Error {
  constructor(readonly variable: string, readonly value: string | undefined, detail: string) {
    super(
      `invalid setting ${variable}${value === undefined ? '' : `=${SECRET_SETTINGS.has(variable as SettingName) ? '<hidden>' : JSON.stringify(value)}`}: ${detail}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Per-app defaults that differ from the shared ones (e.g. METRICS_PORT). */
  defaults?: Partial<Record<SettingName, string>>;
}

/**
 * Reads and validates the named settings from the environment (and `.env` in the working directory,
 * whose values never override the real environment). Throws ConfigError on the first bad value.
 */
export function loadConfig<K extends SettingName>(names: readonly K[], opts: LoadOptions = {}): Pick<Settings, K> {
  const env = opts.env ?? loadDotEnv(process.env);
  const out = {} as Pick<Settings, K>;
  for (const name of names) {
    const raw = env[name] ?? opts.defaults?.[name];
    const parsed = (SETTINGS[name] as z.ZodType).safeParse(raw === '' && opts.defaults?.[name] !== undefined ? opts.defaults[name] : raw);
    if (!parsed.success) throw new ConfigError(name, raw, parsed.error.issues[0]?.message ?? 'invalid value');
    (out as Record<string, unknown>)[name] = parsed.data;
  }
  return out;
}

function loadDotEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env === process.env && existsSync('.env') && typeof process.loadEnvFile === 'function') {
    const before = { ...process.env };
    process.loadEnvFile('.env');
    Object.assign(process.env, before); // the real environment wins over .env
  }
  return env;
}

/** The settings as they may be logged: secrets hidden, passwords removed from URLs. */
export function describeConfig(config: Partial<Settings>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_SETTINGS.has(k as SettingName)) out[k] = v === undefined ? undefined : '<hidden>';
    else if (typeof v === 'string' && /^[a-z]+:\/\//.test(v)) out[k] = redactUrl(v);
    else out[k] = v;
  }
  return out;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** For an app's start: a wrong setting prints one clear line on stderr and exits with code 2. */
export function loadConfigOrExit<K extends SettingName>(app: string, names: readonly K[], opts: LoadOptions = {}): Pick<Settings, K> {
  try {
    return loadConfig(names, opts);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${app}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
