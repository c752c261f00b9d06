import type { Redis } from 'ioredis';
import { clearCaptureFlag, parseCaptureFlag, setCaptureFlag } from '@sipcap/capture-flag';
import type { CliIo } from '../cli-io';
import { UsageError } from '../cli-errors';
import { loadSettings } from '../load-settings';
import { noExtraArgs, parseCommandArgs } from '../parse-command-args';
import { REDIS_SECURITY_SETTINGS } from '@sipcap/config';
import { cliRedisSecurity, closeRedis, connectRedis } from '../redis-connection';

const COMMAND = 'capture';

/** The flag as the CLI reports it; `state` is what an agent with the same CAPTURE_ON does. */
export interface FlagReport {
  key: string;
  state: 'on' | 'off';
  /** 'key': the key holds on/off; 'default': absent, CAPTURE_ON applies; 'invalid': agents keep their state. */
  source: 'key' | 'default' | 'invalid';
  /** The key's raw value (null when absent). */
  raw: string | null;
  captureOnDefault: boolean;
}

/** Reads the flag and says what it means for the agents. */
export async function readFlagReport(redis: Redis, key: string, captureOnDefault: boolean): Promise<FlagReport> {
  const raw = await redis.get(key);
  const value = parseCaptureFlag(raw);
  const fallback = captureOnDefault ? 'on' : 'off';
  if (value === 'on' || value === 'off') return { key, state: value, source: 'key', raw, captureOnDefault };
  return { key, state: fallback, source: value === 'absent' ? 'default' : 'invalid', raw, captureOnDefault };
}

/** One line, first word `on` or `off`. */
export function describeFlag(r: FlagReport): string {
  const dflt = `CAPTURE_ON=${r.captureOnDefault ? 1 : 0} here`;
  if (r.source === 'key') return `${r.state} (key ${r.key})`;
  if (r.source === 'default') return `${r.state} (key ${r.key} absent; agents use their CAPTURE_ON, ${dflt})`;
  return `${r.state} (key ${r.key} holds ${JSON.stringify(r.raw)}, not on/off/1/0: agents keep their last state; set it with sipcap capture on|off)`;
}

/** `sipcap capture [on|off|clear]`. */
export async function captureCommand(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, args, { json: { type: 'boolean' } });
  noExtraArgs(COMMAND, positionals, 1);
  const action = positionals[0]?.toLowerCase();
  if (action !== undefined && !['on', 'off', 'clear', '1', '0'].includes(action)) {
    throw new UsageError(`expected on, off or clear, got "${positionals[0]}"`, COMMAND);
  }
  const cfg = loadSettings(io, COMMAND, ['REDIS_URL', 'CAPTURE_FLAG_KEY', 'CAPTURE_ON', ...REDIS_SECURITY_SETTINGS]);
  const redis = await connectRedis(cfg.REDIS_URL, undefined, cliRedisSecurity(cfg));
  try {
    let notified: number | undefined;
    if (action === 'on' || action === '1') notified = await setCaptureFlag(redis, cfg.CAPTURE_FLAG_KEY, true);
    else if (action === 'off' || action === '0') notified = await setCaptureFlag(redis, cfg.CAPTURE_FLAG_KEY, false);
    else if (action === 'clear') notified = await clearCaptureFlag(redis, cfg.CAPTURE_FLAG_KEY);
    const report = await readFlagReport(redis, cfg.CAPTURE_FLAG_KEY, cfg.CAPTURE_ON);
    if (values.json) {
      io.out(JSON.stringify({ ...report, ...(notified === undefined ? {} : { notified }) }) + '\n');
    } else {
      // `notified` counts subscribers of the change channel: every running agent listens there.
      const heard = notified === undefined ? '' : `; ${notified} agent${notified === 1 ? '' : 's'} notified`;
      io.out(describeFlag(report).replace(/\)$/, `${heard})`) + '\n');
    }
    return 0;
  } finally {
    await closeRedis(redis);
  }
}
