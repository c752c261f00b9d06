import { hostname } from 'node:os';
import { Redis, type RedisOptions } from 'ioredis';
import { agentKey, type AgentReport } from './agent-report';
import { reconnectDelay, silentLogger, type Logger } from '@sipcap/capture-flag';

export interface AgentReporterOptions {
  /** A connection to share (left open by stop()), or a URL for a connection of the reporter's own. */
  redis?: Redis;
  redisUrl?: string;
  /** Connection options besides redisUrl: password and TLS (see redisSecurityOptions). */
  redisOptions?: RedisOptions;
  node: string;
  app: string;
  intervalMs?: number;
  /** Lifetime of each report; default 3 intervals, so a dead agent drops out of `sipcap status`. */
  ttlMs?: number;
  captureOn: () => boolean;
  counters?: () => Record<string, number>;
  /** A consumer's group (db-writer), reported with it. */
  group?: string;
  /** Levels, not totals (a writer's lag, partitions held); reported beside the counters. */
  gauges?: () => Record<string, number>;
  log?: Logger;
}

/**
 * Writes this agent's report (`sipcap:agent:<node>:<app>`, JSON, with a TTL) every interval.
 * Failures are logged once per failure streak and never thrown: reporting must not stop capture.
 */
export class AgentReporter {
  readonly key: string;
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  private readonly log: Logger;
  private readonly startedAt = new Date().toISOString();
  private readonly host = hostname();
  private timer?: NodeJS.Timeout;
  private writing = false;
  private failing = false;

  constructor(private readonly opts: AgentReporterOptions) {
    this.key = agentKey(opts.node, opts.app);
    this.intervalMs = opts.intervalMs ?? 5000;
    this.ttlMs = opts.ttlMs ?? 3 * this.intervalMs;
    this.log = opts.log ?? silentLogger;
    if (opts.redis) {
      this.redis = opts.redis;
      this.ownsConnection = false;
    } else if (opts.redisUrl) {
      this.redis = new Redis(opts.redisUrl, {
        ...opts.redisOptions,
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: (attempt) => reconnectDelay(attempt, 5000),
      });
      // The failed writes are what gets logged; connection errors alone would repeat on every retry.
      this.redis.on('error', () => {});
      this.ownsConnection = true;
    } else {
      throw new Error('AgentReporter needs redis or redisUrl');
    }
  }

  /** Writes the first report (awaited, so `sipcap status` sees the agent at once), then one per interval. */
  async start(): Promise<void> {
    if (this.ownsConnection) await this.redis.connect().catch(() => {});
    await this.report();
    this.timer = setInterval(() => void this.report(), this.intervalMs);
    this.timer.unref();
  }

  /** One write now (also useful right after a flag flip). Resolves to whether it was stored. */
  async report(): Promise<boolean> {
    if (this.writing) return false; // the previous write is still pending: do not pile up
    this.writing = true;
    try {
      await this.redis.set(this.key, JSON.stringify(this.snapshot()), 'PX', this.ttlMs);
      if (this.failing) {
        this.failing = false;
        this.log.info({ key: this.key }, 'agent report: writing again');
      }
      return true;
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ key: this.key, err: (err as Error).message }, 'agent report: cannot write to Redis, will retry');
      }
      return false;
    } finally {
      this.writing = false;
    }
  }

  snapshot(): AgentReport {
    let counters: Record<string, number> = {};
    let gauges: Record<string, number> | undefined;
    try {
      counters = this.opts.counters?.() ?? {};
      gauges = this.opts.gauges?.();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'agent report: counters callback failed');
    }
    return {
      node: this.opts.node,
      app: this.opts.app,
      pid: process.pid,
      host: this.host,
      captureOn: this.opts.captureOn(),
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      intervalMs: this.intervalMs,
      counters,
      ...(gauges && { gauges }),
      ...(this.opts.group !== undefined && { group: this.opts.group }),
    };
  }

  /**
   * Stops reporting. By default deletes the report so a cleanly stopped agent leaves `sipcap status`
   * at once; with `remove: false` it lingers until its TTL, as after a crash.
   */
  async stop({ remove = true }: { remove?: boolean } = {}): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (remove) {
      try {
        await this.redis.del(this.key);
      } catch (err) {
        this.log.warn({ key: this.key, err: (err as Error).message }, 'agent report: cannot delete the report; it expires by itself');
      }
    }
    if (this.ownsConnection) {
      if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
      else this.redis.disconnect();
    }
  }
}
