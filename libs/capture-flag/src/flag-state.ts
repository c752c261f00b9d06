import { parseCaptureFlag } from './flag-value';

/** Where the current state came from: the key, the CAPTURE_ON default (key absent), or the last read before Redis went away. */
export type FlagSource = 'redis' | 'default' | 'last-known';

export interface CaptureFlagState {
  on: boolean;
  source: FlagSource;
  redisConnected: boolean;
  /** Epoch ms of the last flip of `on` (or of the start, before any flip). */
  lastChangeAt: number;
}

export type ApplyResult =
  | { kind: 'unchanged' }
  /** `flipped` when `on` changed; otherwise only the source did (e.g. key deleted while equal to the default). */
  | { kind: 'changed'; flipped: boolean }
  /** `firstTime` is true once per distinct bad value, so it is logged once and not on every re-read. */
  | { kind: 'invalid'; raw: string; firstTime: boolean };

/** Distinct bad values remembered for "warn once"; bounded so a key fed random junk cannot grow memory. */
const MAX_REMEMBERED_BAD_VALUES = 1000;

/**
 * The capture flag's state machine, without any I/O: values read from Redis and connection changes go in,
 * what changed comes out. `on` is a plain field because agents read it for every packet.
 */
export class FlagState {
  on: boolean;
  source: FlagSource = 'default';
  redisConnected = false;
  lastChangeAt: number;
  /** Whether Redis has ever answered; before that the default is not a "last known" state. */
  private everRead = false;
  private readonly badValues = new Set<string>();

  constructor(
    private readonly defaultOn: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.on = defaultOn;
    this.lastChangeAt = now();
  }

  /** A value just read with GET (null: no key). */
  applyValue(raw: string | null): ApplyResult {
    const value = parseCaptureFlag(raw);
    if (value === 'invalid') {
      const firstTime = !this.badValues.has(raw!);
      if (firstTime && this.badValues.size < MAX_REMEMBERED_BAD_VALUES) this.badValues.add(raw!);
      return { kind: 'invalid', raw: raw!, firstTime };
    }
    this.everRead = true;
    const on = value === 'absent' ? this.defaultOn : value === 'on';
    const source: FlagSource = value === 'absent' ? 'default' : 'redis';
    const flipped = on !== this.on;
    if (!flipped && source === this.source) return { kind: 'unchanged' };
    this.on = on;
    this.source = source;
    if (flipped) this.lastChangeAt = this.now();
    return { kind: 'changed', flipped };
  }

  /** Returns whether anything changed. Losing Redis keeps `on` and marks it as the last known state. */
  setConnected(connected: boolean): boolean {
    if (connected === this.redisConnected) return false;
    this.redisConnected = connected;
    if (!connected && this.everRead) this.source = 'last-known';
    return true;
  }

  snapshot(): CaptureFlagState {
    return { on: this.on, source: this.source, redisConnected: this.redisConnected, lastChangeAt: this.lastChangeAt };
  }
}
