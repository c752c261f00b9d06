import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { uniqueName } from './support/kafka';

describe('Redis (real server)', () => {
  it('sets and reads a key through ioredis', async () => {
    const r = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const key = uniqueName('sipcap-test-key');
    try {
      await r.set(key, 'on', 'EX', 60);
      expect(await r.get(key)).toBe('on');
      await r.set(key, 'off', 'EX', 60);
      expect(await r.get(key)).toBe('off');
      expect(await r.ttl(key)).toBeGreaterThan(0);
    } finally {
      await r.del(key);
      r.disconnect();
    }
  });

  it('fails when the server is absent', async () => {
    const r = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    r.on('error', () => undefined);
    await expect(r.connect()).rejects.toThrow();
    r.disconnect();
  });
});
