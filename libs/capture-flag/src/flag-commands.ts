import type { Redis } from 'ioredis';
import { changedChannel } from './flag-channels';
import { formatCaptureFlag, parseCaptureFlag } from './flag-value';

/**
 * Sets the flag and announces it on `<key>:changed`, in one MULTI so no agent can hear the
 * announcement before the value is there. Returns how many subscribers heard it (every running agent
 * listens), which the CLI can print.
 */
export async function setCaptureFlag(redis: Redis, key: string, on: boolean): Promise<number> {
  const value = formatCaptureFlag(on);
  return announce(redis.multi().set(key, value).publish(changedChannel(key), value));
}

/** Deletes the flag (agents fall back to their CAPTURE_ON) and announces it like setCaptureFlag. */
export async function clearCaptureFlag(redis: Redis, key: string): Promise<number> {
  return announce(redis.multi().del(key).publish(changedChannel(key), ''));
}

/** The flag as agents read it: 'on', 'off', or null when the key is absent or holds no flag value. */
export async function readCaptureFlag(redis: Redis, key: string): Promise<'on' | 'off' | null> {
  const value = parseCaptureFlag(await redis.get(key));
  return value === 'on' || value === 'off' ? value : null;
}

async function announce(multi: ReturnType<Redis['multi']>): Promise<number> {
  const results = await multi.exec();
  if (!results) throw new Error('capture flag transaction was aborted');
  for (const [err] of results) if (err) throw err;
  return Number(results[results.length - 1][1]);
}
