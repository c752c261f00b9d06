import { EventEmitter } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { changedChannel, keyspaceChannel } from './flag-channels';
import { FlagState, type CaptureFlagState, type FlagSource } from './flag-state';
import { withKeyspaceFlags } from './keyspace-events';
import { silentLogger, type Logger } from './logger';
import { reconnectDelay } from './reconnect-delay';
import { redisAccessFailure } from './redis-security';

export interface CaptureFlagOptions {
  redisUrl: string;
  /** The Redis key of the flag (CAPTURE_FLAG_KEY). */
  key?: string;
  /** The state while the key is absent (CAPTURE_ON). */
  defaultOn: boolean;
  /** Safety-net re-read period, for a missed notification. */
  rereadMs?: number;
  /** Cap of the reconnect backoff. */
  maxBackoffMs?: number;
  /** How long start() waits for the first read before going on with the default. */
  startTimeoutMs?: number;
  /** Try CONFIG SET notify-keyspace-events; off leaves the server's setting alone (the apps: REDIS_SET_KEYSPACE_EVENTS). */
  configureKeyspaceEvents?: boolean;
  /** Connection options besides the URL: password and TLS (see redisSecurityOptions). */
  redisOptions?: RedisOptions;
  log?: Logger;
  /** Called after every state change (flip, source, connection), e.g. to set the capture_on / redis_connected gauges. */
  onState?: (state: CaptureFlagState) => void;
}

/** How the flag learns of changes at once: keyspace notifications, or only the CLI's `<key>:changed` channel. */
export type NotifyMode = 'keyspace' | 'channel';

export interface CaptureFlagEvents {
  /** `on` flipped. */
  change: [on: boolean, source: FlagSource];
  /** Anything in `state` changed. */
  state: [state: CaptureFlagState];
}

/** Timeout of one GET or CONFIG; a re-read that hangs must not pile up behind the next. */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * Follows the global capture flag in Redis. Two connections: a subscriber for keyspace notifications of
 * the key and the CLI's `<key>:changed` channel, and a command connection that re-reads the key with GET
 * on each notification (the message itself is not trusted), on every (re)connect, and every `rereadMs`.
 * While Redis is unreachable the last known state is kept; ioredis reconnects with a capped backoff.
 */
export class CaptureFlag extends EventEmitter<CaptureFlagEvents> {
  readonly key: string;
  private readonly opts: Required<Omit<CaptureFlagOptions, 'log' | 'onState' | 'redisOptions'>>;
  private readonly log: Logger;
  private readonly onState?: (state: CaptureFlagState) => void;
  private readonly redisOptions: RedisOptions;
  private readonly flag: FlagState;
  private cmd?: Redis;
  private sub?: Redis;
  private timer?: NodeJS.Timeout;
  private cmdReady = false;
  private subReady = false;
  private stopped = false;
  /** The outage is logged once, not on every reconnect attempt. */
  private outageLogged = false;
  private mode?: NotifyMode;
  private readonly loggedReadErrors = new Set<string>();
  private firstRead?: () => void;

  constructor(options: CaptureFlagOptions) {
    super();
    this.opts = {
      key: 'capture_on',
      rereadMs: 5000,
      maxBackoffMs: 5000,
      startTimeoutMs: 3000,
      configureKeyspaceEvents: true,
      ...options,
    };
    this.key = this.opts.key;
    this.log = options.log ?? silentLogger;
    this.onState = options.onState;
    this.redisOptions = options.redisOptions ?? {};
    this.flag = new FlagState(options.defaultOn);
  }

  /** Whether to capture now. A field read: agents call it per packet. */
  isOn(): boolean {
    return this.flag.on;
  }

  get state(): CaptureFlagState {
    return this.flag.snapshot();
  }

  /** How changes are learned at once; undefined until the first connect has asked the server. */
  get notifyMode(): NotifyMode | undefined {
    return this.mode;
  }

  /**
   * Connects and reads the flag. Resolves after the first read, or after `startTimeoutMs` with the
   * default when Redis cannot be reached (it keeps reconnecting in the background); never rejects for
   * an unreachable Redis, so an agent starts even while Redis is down.
   */
  async start(): Promise<void> {
    if (this.cmd) throw new Error('CaptureFlag already started');
    const common: RedisOptions = {
      ...this.redisOptions,
      lazyConnect: true,
      // Commands fail at once while disconnected instead of queueing re-reads of a stale moment.
      enableOfflineQueue: false,
      retryStrategy: (attempt) => reconnectDelay(attempt, this.opts.maxBackoffMs),
    };
    const cmd = (this.cmd = new Redis(this.opts.redisUrl, { ...common, commandTimeout: COMMAND_TIMEOUT_MS }));
    // Subscriptions are made in our 'ready' handler, so we know when they are in place and read after.
    const sub = (this.sub = new Redis(this.opts.redisUrl, { ...common, autoResubscribe: false }));
    const db = cmd.options.db ?? 0;
    const channels = [keyspaceChannel(db, this.key), changedChannel(this.key)];

    // Every ioredis 'error' is handled here: no unhandled error events, one log line per outage.
    for (const conn of [cmd, sub]) conn.on('error', (err) => this.onRedisError(err));
    cmd.on('ready', () => this.onCmdReady());
    cmd.on('close', () => this.setReady('cmd', false));
    sub.on('ready', () => void this.onSubReady(channels));
    sub.on('close', () => this.setReady('sub', false));
    sub.on('message', (channel: string) => {
      if (channels.includes(channel)) void this.reread();
    });

    const firstRead = new Promise<void>((resolve) => (this.firstRead = resolve));
    let startTimer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (startTimer = setTimeout(resolve, this.opts.startTimeoutMs)));
    cmd.connect().catch(() => {});
    sub.connect().catch(() => {});
    this.timer = setInterval(() => void this.reread(), this.opts.rereadMs);
    this.timer.unref();
    await Promise.race([firstRead, timeout]);
    clearTimeout(startTimer);
    if (!this.flag.redisConnected && !this.outageLogged) {
      this.outageLogged = true;
      this.log.warn({ key: this.key, on: this.flag.on }, 'capture flag: Redis not reachable at start, using CAPTURE_ON until it is');
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.firstRead?.();
    await Promise.all([this.cmd, this.sub].map((conn) => (conn ? closeConnection(conn) : Promise.resolve())));
  }

  /** GET the key and apply it; used for every trigger (notification, connect, timer). */
  private async reread(): Promise<void> {
    const cmd = this.cmd;
    if (!cmd || this.stopped || cmd.status !== 'ready') return;
    let raw: string | null;
    try {
      raw = await cmd.get(this.key);
    } catch (err) {
      // Connection loss is reported by the connection events; log other failures (e.g. WRONGTYPE) once each.
      const message = (err as Error).message;
      if (cmd.status === 'ready' && !this.stopped && !this.loggedReadErrors.has(message)) {
        this.loggedReadErrors.add(message);
        this.log.warn({ key: this.key, err: message, on: this.flag.on }, 'capture flag: cannot read the key, keeping the current state');
      }
      return;
    }
    if (this.stopped) return;
    this.apply(raw);
    // start() resolves once the flag is read with notifications in place, so changes from then on are seen at once.
    if (this.firstRead && this.flag.redisConnected && (this.mode !== undefined || !this.opts.configureKeyspaceEvents)) {
      this.firstRead();
      this.firstRead = undefined;
    }
  }

  private apply(raw: string | null): void {
    const result = this.flag.applyValue(raw);
    if (result.kind === 'invalid') {
      if (result.firstTime) {
        this.log.warn(
          { key: this.key, value: result.raw, on: this.flag.on },
          'capture flag: invalid value (expected on/off/1/0), keeping the current state',
        );
      }
      return;
    }
    if (result.kind === 'unchanged') return;
    const { on, source } = this.flag;
    if (result.flipped) {
      this.log.info({ key: this.key, on, source }, on ? 'capture turned on' : 'capture turned off');
      this.emit('change', on, source);
    }
    this.emitState();
  }

  private onCmdReady(): void {
    this.setReady('cmd', true);
    void this.reread();
    if (this.opts.configureKeyspaceEvents) void this.enableKeyspaceEvents();
  }

  private async onSubReady(channels: string[]): Promise<void> {
    const sub = this.sub!;
    try {
      // Resolves once the server has confirmed: a change after this point is notified.
      await sub.subscribe(...channels);
    } catch (err) {
      if (!this.stopped && sub.status === 'ready') {
        this.log.warn({ key: this.key, err: (err as Error).message }, 'capture flag: cannot subscribe, relying on the periodic re-read');
      }
    }
    if (sub.status !== 'ready' || this.stopped) return;
    this.setReady('sub', true);
    void this.reread();
  }

  /** Re-done on every connect: a restarted Redis has forgotten a CONFIG SET. */
  private async enableKeyspaceEvents(): Promise<void> {
    const cmd = this.cmd!;
    let mode: NotifyMode;
    let reason = '';
    try {
      const reply = (await cmd.config('GET', 'notify-keyspace-events')) as string[];
      const wanted = withKeyspaceFlags(reply[1] ?? '');
      if (wanted !== null) await cmd.config('SET', 'notify-keyspace-events', wanted);
      mode = 'keyspace';
    } catch (err) {
      if (cmd.status !== 'ready' || this.stopped) return; // lost the connection: the next connect retries
      mode = 'channel';
      reason = (err as Error).message;
    }
    if (mode !== this.mode) {
      this.mode = mode;
      if (mode === 'keyspace') {
        this.log.info({ key: this.key }, 'capture flag: following keyspace notifications');
      } else {
        this.log.warn(
          { key: this.key, err: reason, channel: changedChannel(this.key), rereadMs: this.opts.rereadMs },
          'capture flag: cannot enable keyspace notifications (managed Redis?); following the CLI channel and the periodic re-read',
        );
      }
    }
    // A change made before notifications were on would otherwise wait for the periodic re-read.
    void this.reread();
  }

  private setReady(which: 'cmd' | 'sub', ready: boolean): void {
    if (this.stopped) return;
    if (which === 'cmd') this.cmdReady = ready;
    else this.subReady = ready;
    const connected = this.cmdReady && this.subReady;
    if (!this.flag.setConnected(connected)) return;
    if (!connected && !this.outageLogged) {
      this.outageLogged = true;
      this.log.warn(
        { key: this.key, on: this.flag.on, source: this.flag.source },
        'capture flag: Redis unreachable, keeping the last known state; reconnecting',
      );
    } else if (connected && this.outageLogged) {
      this.outageLogged = false;
      this.log.info({ key: this.key }, 'capture flag: Redis reachable again, re-reading the flag');
    }
    this.emitState();
  }

  private onRedisError(err: Error): void {
    // While connected, a connection error is followed by 'close', which reports the outage. Before the
    // first connect there is no 'ready' to lose, so the error is the first sign of the outage.
    if (this.stopped || this.outageLogged || this.flag.redisConnected) return;
    this.outageLogged = true;
    const access = redisAccessFailure(err);
    if (access) {
      this.log.error(
        { key: this.key, on: this.flag.on, source: this.flag.source },
        `capture flag: ${access}; keeping the last known state`,
      );
      return;
    }
    this.log.warn(
      { key: this.key, err: err.message, on: this.flag.on, source: this.flag.source },
      'capture flag: Redis unreachable, keeping the last known state; reconnecting',
    );
  }

  private emitState(): void {
    const state = this.flag.snapshot();
    this.emit('state', state);
    this.onState?.(state);
  }
}

/** QUIT when connected (clean), else just drop the socket and the pending reconnect. */
async function closeConnection(conn: Redis): Promise<void> {
  if (conn.status === 'ready') {
    try {
      await conn.quit();
      return;
    } catch {
      // fall through to disconnect
    }
  }
  conn.disconnect();
}
