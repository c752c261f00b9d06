/**
 * The `date` column is derived from micro_ts (UTC). Rows of one batch mostly share a second, so the text
 * of the last second is kept and only the microseconds change.
 */

/** First micro_ts the date columns cannot hold (year 10000). */
export const MICRO_TS_LIMIT = 253_402_300_800_000_000n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
export const DAY_MICROS = 86_400_000_000;

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

/** Days since the epoch (UTC) of a capture time. */
export function captureDay(microTs: bigint): number {
  const n = Number(microTs);
  return n <= MAX_SAFE ? Math.floor(n / DAY_MICROS) : Number(microTs / 86_400_000_000n);
}

/** `YYYY-MM-DD` of a day number (days since the epoch). */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export class CaptureDateText {
  private lastSecond = NaN;
  private lastText = '';

  /** `YYYY-MM-DD HH:MM:SS` (MySQL DATETIME: whole seconds, truncated, never rounded into the next second). */
  seconds(microTs: bigint): string {
    const n = Number(microTs);
    const second = n <= MAX_SAFE ? Math.floor(n / 1e6) : Number(microTs / 1_000_000n);
    return this.secondText(second);
  }

  /** `YYYY-MM-DD HH:MM:SS.ffffff` (PostgreSQL timestamp keeps microseconds). */
  micros(microTs: bigint): string {
    const n = Number(microTs);
    let second: number;
    let micro: number;
    if (n <= MAX_SAFE) {
      second = Math.floor(n / 1e6);
      micro = n - second * 1e6;
    } else {
      second = Number(microTs / 1_000_000n);
      micro = Number(microTs % 1_000_000n);
    }
    return this.secondText(second) + '.' + String(micro).padStart(6, '0');
  }

  private secondText(second: number): string {
    if (second !== this.lastSecond) {
      const d = new Date(second * 1000);
      this.lastText =
        String(d.getUTCFullYear()).padStart(4, '0') +
        '-' +
        pad2(d.getUTCMonth() + 1) +
        '-' +
        pad2(d.getUTCDate()) +
        ' ' +
        pad2(d.getUTCHours()) +
        ':' +
        pad2(d.getUTCMinutes()) +
        ':' +
        pad2(d.getUTCSeconds());
      this.lastSecond = second;
    }
    return this.lastText;
  }
}
