import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { keyHash, keyPartitioner, murmur2 } from './key-partitioner';

// kafkajs' own port of the Java client's murmur2 is the oracle.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: Buffer | string,
) => number;

function randomKey(seed: number): string {
  let s = '';
  const n = seed % 97;
  for (let i = 0; i < n; i++) {
    const r = (seed * 7919 + i * 104729) % 1000;
    // Mostly ASCII Call-ID characters, some multi-byte ones (UTF-8 keys must hash their bytes).
    s += r < 900 ? String.fromCharCode(33 + (r % 94)) : r < 950 ? 'é' : r < 990 ? '漢' : '😀';
  }
  return s;
}

const metadata = (n: number, leaderless: number[] = []): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: leaderless.includes(i) ? -1 : 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));

describe('murmur2', () => {
  it('hashes like kafkajs (and the Java client) for keys of every length and tail size', () => {
    for (let seed = 0; seed < 3000; seed++) {
      const key = randomKey(seed);
      expect(keyHash(key)).toBe(kafkajsMurmur2(key));
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
  });

  it('matches known values of the Java client', () => {
    // From Kafka's UtilsTest.testMurmur2: "21" hashes to -973932308.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
  });

  it('hashes a long key that does not fit the scratch buffer', () => {
    const key = 'x'.repeat(5000) + '漢'.repeat(700);
    expect(keyHash(key)).toBe(kafkajsMurmur2(key));
  });

  it('hashes only the given length of a buffer', () => {
    const b = Buffer.from('abcdefgh');
    expect(murmur2(b, 5)).toBe(kafkajsMurmur2(Buffer.from('abcde')));
  });
});

describe('keyPartitioner', () => {
  it('puts keyed messages on the partition kafkajs DefaultPartitioner picks', () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 12, 50]) {
      for (let seed = 0; seed < 500; seed++) {
        const message = { key: `${randomKey(seed)}@pbx.example.com`, value: null };
        const args = { topic: 't', partitionMetadata: metadata(n), message };
        expect(ours(args)).toBe(theirs(args));
      }
    }
  });

  it('keeps an explicit partition', () => {
    expect(keyPartitioner()({ topic: 't', partitionMetadata: metadata(12), message: { key: 'k', value: null, partition: 7 } })).toBe(7);
  });

  it('spreads messages without a key over the partitions that have a leader', () => {
    const p = keyPartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) seen.add(p({ topic: 't', partitionMetadata: metadata(4, [2]), message: { value: null } }));
    expect([...seen].sort()).toEqual([0, 1, 3]);
  });
});
