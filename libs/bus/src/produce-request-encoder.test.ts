import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import produce from 'kafkajs/src/protocol/requests/produce/index.js';
import kafkajsCrc32c from 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
import { canEncodeProduceRequest, encodeProduceRequest, NATIVE_CRC32C, type ProduceArgs } from './produce-request-encoder';
import { installProduceEncoder } from './install-produce-encoder';

// The reference is kafkajs' own Produce encoder (its nested Encoders, JavaScript CRC32C), taken before
// anything in this process could replace it.
const kafkajsProduce = produce.protocol;
async function kafkajsBytes(version: number, args: ProduceArgs): Promise<Buffer> {
  return (await kafkajsProduce({ version })({ ...args, compression: 0 }).request.encode()).buffer;
}

const NOW = 1_764_800_000_123;
afterEach(() => void vi.useRealTimers());

const cases: [string, ProduceArgs][] = [
  [
    'the agents: one topic, packed values, no key, no timestamp, idempotent',
    {
      acks: -1,
      timeout: 30_000,
      producerId: { value: 4001n },
      producerEpoch: 3,
      topicData: [
        {
          topic: 'sipcap.capture',
          partitions: [
            { partition: 0, firstSequence: 17, messages: [{ value: randomBytes(70_000) }] },
            { partition: 7, firstSequence: 2_000_000, messages: [{ value: randomBytes(300) }, { value: randomBytes(20) }] },
          ],
        },
      ],
    },
  ],
  [
    'keys (string and bytes), string values, timestamps (numbers and strings, out of order), two topics',
    {
      acks: 1,
      timeout: 5_000,
      topicData: [
        {
          topic: 'a',
          partitions: [
            {
              partition: 2,
              messages: [
                { key: 'call-é-1', value: 'vålue', timestamp: NOW + 5_000 },
                { key: randomBytes(200), value: randomBytes(16_500), timestamp: String(NOW) },
                { key: null, value: '', timestamp: NOW + 2 },
              ],
            },
          ],
        },
        { topic: 'b.topic', partitions: [{ partition: 11, messages: [{ value: randomBytes(1), timestamp: NOW - 1 }] }] },
      ],
    },
  ],
  [
    'some messages with a timestamp and some without, a transactional id, a 300-message batch',
    {
      acks: -1,
      timeout: 1_000,
      transactionalId: 'tx-1',
      producerId: { value: 9_007_199_254_740_993n },
      producerEpoch: 1,
      topicData: [
        {
          topic: 't',
          partitions: [
            {
              partition: 0,
              firstSequence: 5,
              messages: Array.from({ length: 300 }, (_, i) => ({
                value: randomBytes(i),
                ...(i % 3 ? { timestamp: NOW - 100_000 + i } : {}),
              })),
            },
          ],
        },
      ],
    },
  ],
];

describe('encodeProduceRequest', () => {
  for (const [name, args] of cases) {
    it(`writes kafkajs' Produce v3-v7 bytes exactly: ${name}`, async () => {
      vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
      expect(canEncodeProduceRequest(args, 0)).toBe(true);
      const ours = encodeProduceRequest(args, NOW);
      for (const version of [3, 4, 5, 6, 7]) expect(ours.equals(await kafkajsBytes(version, args))).toBe(true);
    });
  }

  it("writes the same bytes with kafkajs' JavaScript CRC32C (the fallback without the native binary) as with the native one", () => {
    expect(NATIVE_CRC32C).toBe(true); // this machine has the prebuilt binary
    for (const [, args] of cases) expect(encodeProduceRequest(args, NOW, kafkajsCrc32c).equals(encodeProduceRequest(args, NOW))).toBe(true);
  });

  it('leaves to kafkajs what it does not write: compression, headers, a null value', () => {
    const plain: ProduceArgs = {
      acks: -1,
      timeout: 1,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: randomBytes(3) }] }] }],
    };
    expect(canEncodeProduceRequest(plain, 1)).toBe(false); // gzip
    const withHeaders = structuredClone(plain);
    (withHeaders.topicData[0].partitions[0].messages as { value: Buffer; headers?: object }[])[0].headers = { reason: 'too_large' };
    expect(canEncodeProduceRequest(withHeaders, 0)).toBe(false);
    const nullValue: ProduceArgs = { ...plain, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: null }] }] }] };
    expect(canEncodeProduceRequest(nullValue, 0)).toBe(false);
    expect(canEncodeProduceRequest(plain, 0)).toBe(true);
  });

  it('a corrupted byte breaks the CRC32C the broker checks (the checksum covers the records)', async () => {
    const args = cases[0][1];
    const ours = encodeProduceRequest(args, NOW);
    const { crc32c } = await import('@node-rs/crc32');
    // First batch: after acks, timeout, topic array, topic name, partition array, partition, batch size.
    const start = 2 + 2 + 4 + 4 + 2 + 'sipcap.capture'.length + 4 + 4 + 4;
    const batchLength = ours.readInt32BE(start + 8);
    const covered = () => ours.subarray(start + 21, start + 12 + batchLength);
    expect(crc32c(covered())).toBe(ours.readUInt32BE(start + 17));
    ours[start + 200] ^= 1;
    expect(crc32c(covered())).not.toBe(ours.readUInt32BE(start + 17));
  });

  it("once installed, kafkajs' Produce v3-v7 requests are written by it, and compressed ones still by kafkajs", async () => {
    installProduceEncoder(pino({ level: 'silent' }));
    expect(produce.protocol).not.toBe(kafkajsProduce);
    const args = cases[1][1];
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const encoded = await produce
      .protocol({ version: 7 })({ ...args, compression: 0 })
      .request.encode();
    expect(encoded.buffer.equals(encodeProduceRequest(args, NOW))).toBe(true);
    expect(encoded.buffer.equals(await kafkajsBytes(7, args))).toBe(true);
    // gzip: kafkajs' encoder (its output differs from the uncompressed bytes)
    const gzip = await produce
      .protocol({ version: 7 })({ ...args, compression: 1 })
      .request.encode();
    expect(gzip.buffer.equals(encoded.buffer)).toBe(false);
    expect(gzip.buffer.readInt16BE(0)).toBe(-1); // still a Produce body: no transactional id first
  });
});
