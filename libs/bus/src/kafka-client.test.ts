import { describe, expect, it } from 'vitest';
import { isTransientKafkaLog } from './kafka-client';

describe('isTransientKafkaLog', () => {
  it('knows the errors kafkajs retries while a broker or group settles', () => {
    expect(
      isTransientKafkaLog('Response GroupCoordinator(key: 10, version: 2)', "The coordinator is loading and hence can't process requests"),
    ).toBe(true);
    expect(isTransientKafkaLog('[Runner] The group is rebalancing, re-joining')).toBe(true);
    expect(
      isTransientKafkaLog(
        'Response Metadata(key: 3, version: 6)',
        'There is no leader for this topic-partition as we are in the middle of a leadership election',
      ),
    ).toBe(true);
    expect(isTransientKafkaLog('Response ListOffsets(key: 2, version: 3)', 'This server does not host this topic-partition')).toBe(true);
  });
  it('leaves real failures as they are', () => {
    expect(isTransientKafkaLog('Connection error: connect ECONNREFUSED 127.0.0.1:9092')).toBe(false);
    expect(
      isTransientKafkaLog(
        'Response SaslAuthenticate(key: 36, version: 1)',
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      ),
    ).toBe(false);
    expect(
      isTransientKafkaLog(
        'Response Produce(key: 0, version: 7)',
        'The request included a message larger than the max message size the server will accept',
      ),
    ).toBe(false);
  });
});
