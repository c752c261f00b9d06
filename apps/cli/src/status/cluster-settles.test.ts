import { describe, expect, it } from 'vitest';
import { whileClusterSettles } from './cluster-settles';

const kafkaError = (name: string, type?: string) => Object.assign(new Error(type ?? name), { name, type });

describe('whileClusterSettles', () => {
  it('asks again while the group coordinator moves or a just-killed broker refuses', async () => {
    const errors = [kafkaError('KafkaJSProtocolError', 'NOT_COORDINATOR_FOR_GROUP'), kafkaError('KafkaJSConnectionError')];
    let calls = 0;
    const r = await whileClusterSettles(async () => {
      calls++;
      const e = errors.shift();
      if (e) throw e;
      return 'answered';
    });
    expect(r).toBe('answered');
    expect(calls).toBe(3);
  });

  it('lets any other error through at once', async () => {
    let calls = 0;
    await expect(
      whileClusterSettles(async () => {
        calls++;
        throw kafkaError('KafkaJSProtocolError', 'GROUP_AUTHORIZATION_FAILED');
      }),
    ).rejects.toThrow('GROUP_AUTHORIZATION_FAILED');
    expect(calls).toBe(1);
  });
});
