import { describe, expect, it } from 'vitest';
import { topicReplication } from './topic-replication';

describe('topicReplication', () => {
  it('derives three copies with two in sync on a cluster of three or more, one on a single broker', () => {
    expect(topicReplication(1, 0, 0)).toEqual({ factor: 1, minInsync: 1 });
    expect(topicReplication(2, 0, 0)).toEqual({ factor: 2, minInsync: 1 });
    expect(topicReplication(3, 0, 0)).toEqual({ factor: 3, minInsync: 2 });
    expect(topicReplication(7, 0, 0)).toEqual({ factor: 3, minInsync: 2 });
  });

  it('takes the settings as given when the cluster can honour them', () => {
    expect(topicReplication(5, 5, 3)).toEqual({ factor: 5, minInsync: 3 });
    expect(topicReplication(3, 2, 0)).toEqual({ factor: 2, minInsync: 1 });
  });

  it('refuses more copies than brokers, and more in sync than copies, naming the setting', () => {
    expect(() => topicReplication(1, 3, 0)).toThrow('KAFKA_REPLICATION_FACTOR=3 but the cluster has 1 broker');
    expect(() => topicReplication(3, 3, 4)).toThrow('KAFKA_MIN_INSYNC_REPLICAS=4 is more than the 3 copies');
  });
});
