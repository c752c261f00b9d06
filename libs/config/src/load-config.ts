import { existsSync } from 'node:fs';
import { z } from 'zod';
import { SECRET_SETTINGS, SETTINGS, type SettingName, type Settings } from './settings';

/** A wrong setting: `message` is one line that names the variable and says what is expected. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    detail: string,
  ) {
    super(
      `invalid setting ${variable}${value === undefined ? '' : `=${SECRET_SETTINGS.has(variable as SettingName) ? '<hidden>' : JSON.stringify(redactUrl(value))}`}: ${detail}`,
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
  // .env applies whenever the process environment is read (the CLI passes it explicitly).
  const env = loadDotEnv(opts.env ?? process.env);
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

/** Query parameters that hold a secret (password=, sslpassword=, auth_token=, secret=, ...), any case. */
const SECRET_PARAM = /pass|pwd|secret|token|credential|auth|apikey|api_key|access_key|private/i;

/**
 * The URL as it may be logged: the password of the user part and the value of every query parameter that
 * names a secret become `***`. Text that is not a URL comes back with anything like `password=...` hidden.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    let changed = false;
    for (const key of [...new Set(u.searchParams.keys())]) {
      if (!SECRET_PARAM.test(key)) continue;
      u.searchParams.set(key, '***');
      changed = true;
    }
    // URLSearchParams re-encodes the whole query; only touch it when something was hidden.
    return changed ? u.toString().replace(/%2A%2A%2A/g, '***') : u.toString();
  } catch {
    return url.replace(/((?:pass|pwd|secret|token)[A-Za-z_]*=)[^&\s]*/gi, '$1***');
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
