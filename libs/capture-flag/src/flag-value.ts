/** What a value read from the capture flag key means. */
export type FlagValue = 'on' | 'off' | 'absent' | 'invalid';

/**
 * Reads a value of the capture flag key: `on`/`off`/`1`/`0`, case-insensitive and trimmed
 * (so `redis-cli set capture_on " ON "` works). `null` (no key) is 'absent'; anything else 'invalid'.
 */
export function parseCaptureFlag(raw: string | null): FlagValue {
  if (raw === null) return 'absent';
  const v = raw.trim().toLowerCase();
  if (v === 'on' || v === '1') return 'on';
  if (v === 'off' || v === '0') return 'off';
  return 'invalid';
}

/** The value the CLI writes: always the canonical word, so `redis-cli get` reads plainly. */
export function formatCaptureFlag(on: boolean): 'on' | 'off' {
  return on ? 'on' : 'off';
}
