import { Redis, type RedisOptions } from 'ioredis';
import { redisAccessFailure, redisSecurityOptions } from '@sipcap/capture-flag';
import type { RedisSecuritySettings } from '@sipcap/config';
import { redactUrl } from '@sipcap/config';
import { CliFailure, errorText } from './cli-errors';

/**
 * A Redis connection for one command: it fails at once (no retries, no offline queue) so an operator
 * hears that Redis is down instead of waiting on a hung command.
 */
/** The password and TLS options of the REDIS_* settings; a file that cannot be read is a CliFailure naming it. */
export function cliRedisSecurity(cfg: RedisSecuritySettings): RedisOptions {
  try {
    return redisSecurityOptions(cfg);
  } catch (e) {
    throw new CliFailure(errorText(e));
  }
}

/** `security`: password and TLS besides the URL (redisSecurityOptions of the REDIS_* settings). */
export async function connectRedis(url: string, timeoutMs = 3000, security: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, {
    ...security,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    // Every command of a connected client gives up too (a server that stops answering mid-command).
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // ioredis arms this timer on disconnect even for a socket that is already closed (a refused
    // connection), and the process would wait for it: keep it short.
    disconnectTimeout: 200,
  });
  let lastError: unknown;
  redis.on('error', (e) => (lastError = e)); // reported below; without a listener ioredis prints its own
  let timer: NodeJS.Timeout | undefined;
  try {
    // A server that takes the connection and never answers (the ready check waits) is named, not waited on.
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new CliFailure(
                `Redis at ${redactUrl(url)} (REDIS_URL) took the connection but did not answer within ${timeoutMs / 1000} s: is it a Redis server, and does it want TLS (rediss://)?`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
    return redis;
  } catch (e) {
    redis.disconnect();
    if (e instanceof CliFailure) throw e;
    const access = redisAccessFailure(lastError ?? e);
    if (access) throw new CliFailure(`${access} (Redis at ${redactUrl(url)})`);
    throw new CliFailure(
      `cannot reach Redis at ${redactUrl(url)} (REDIS_URL): ${errorText(lastError ?? e)}; start Redis or point REDIS_URL at it`,
    );
  } finally {
    clearTimeout(timer);
  }
}

export async function closeRedis(redis: Redis | undefined): Promise<void> {
  if (!redis) return;
  await redis.quit().catch(() => redis.disconnect());
}
