import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Kafka, Message } from 'kafkajs';
import { DeadLetterPublisher, TRUNCATED_HEADER, type DeadLetterInput } from './dead-letter-publisher';

/** A dead-letter topic without a network: refuses a request whose bytes pass `limit` (MESSAGE_TOO_LARGE). */
function fakeTopic(limit: number, script: Error[] = []) {
  const stored: Message[] = [];
  const requests: number[] = [];
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async ({ messages }: { messages: Message[] }) => {
        const next = script.shift();
        if (next) throw next;
        const bytes = messages.reduce((n, m) => n + ((m.value as Buffer | null)?.length ?? 0) + (m.key?.length ?? 0), 0);
        requests.push(bytes);
        if (bytes > limit)
          throw Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false });
        stored.push(...messages);
      },
    }),
  } as unknown as Kafka;
  return { kafka, stored, requests };
}

const letter = (i: number, size: number): DeadLetterInput => ({
  partition: 0,
  offset: BigInt(i),
  index: 0,
  key: Buffer.from(`k${i}`),
  value: Buffer.alloc(size, 0x41 + (i % 26)),
  error: 'refused',
});

describe('DeadLetterPublisher', () => {
  it('sends letters in requests of at most maxBytes, a letter above it cut with the whole length in sipcap-truncated', async () => {
    const t = fakeTopic(Infinity);
    const registry = new Registry();
    const p = new DeadLetterPublisher(t.kafka, { topic: 'dlq', sourceTopic: 's', maxBytes: 10_000, registry });
    await p.publish([letter(0, 3000), letter(1, 3000), letter(2, 3000), letter(3, 50_000), letter(4, 10)]);
    expect(t.stored.map((m) => String(m.headers!['sipcap-source-offset']))).toEqual(['0', '1', '2', '3', '4']);
    expect(Math.max(...t.requests)).toBeLessThanOrEqual(10_000);
    const cut = t.stored[3];
    expect(cut.headers![TRUNCATED_HEADER]).toBe('50000');
    expect((cut.value as Buffer).length).toBeLessThan(10_000);
    expect((cut.value as Buffer).equals(Buffer.alloc((cut.value as Buffer).length, 0x41 + 3))).toBe(true);
    expect(t.stored[0].headers![TRUNCATED_HEADER]).toBeUndefined();
    expect((await registry.getSingleMetric('sipcap_dead_letters_truncated_total')!.get()).values[0].value).toBe(1);
  });

  it('when the topic refuses smaller letters than maxBytes, splits the request and cuts a refused letter until it is taken', async () => {
    const t = fakeTopic(1000);
    const p = new DeadLetterPublisher(t.kafka, { topic: 'dlq', sourceTopic: 's', maxBytes: 100_000 });
    await p.publish([letter(0, 400), letter(1, 400), letter(2, 5000), letter(3, 400)]);
    expect(t.stored.map((m) => String(m.headers!['sipcap-source-offset']))).toEqual(['0', '1', '2', '3']);
    expect(t.stored[2].headers![TRUNCATED_HEADER]).toBe('5000');
    expect((t.stored[2].value as Buffer).length).toBeLessThanOrEqual(1000);
  });

  it('drops and counts a letter refused even without a value, and goes on', async () => {
    const t = fakeTopic(0);
    const registry = new Registry();
    const p = new DeadLetterPublisher(t.kafka, { topic: 'dlq', sourceTopic: 's', registry });
    await p.publish([letter(0, 100), letter(1, 100)]);
    expect(t.stored).toHaveLength(0);
    const dropped = await registry.getSingleMetric('sipcap_dead_letters_dropped_total')!.get();
    expect(dropped.values.find((v) => v.labels.error === 'MESSAGE_TOO_LARGE')?.value).toBe(2);
  });

  it('throws an error that may pass (the caller retries) instead of cutting or dropping', async () => {
    const t = fakeTopic(Infinity, [Object.assign(new Error('gone'), { name: 'KafkaJSConnectionError', retriable: true })]);
    const p = new DeadLetterPublisher(t.kafka, { topic: 'dlq', sourceTopic: 's' });
    await expect(p.publish([letter(0, 100)])).rejects.toThrow('gone');
    await p.publish([letter(0, 100)]);
    expect(t.stored[0].headers![TRUNCATED_HEADER]).toBeUndefined();
  });

  it('names each letter its partition and sends again the letters of a partition a resolved send left out (leader change)', async () => {
    const stored: Message[] = [];
    let skip: number | undefined = 1;
    const kafka = {
      admin: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        fetchTopicMetadata: async () => ({ topics: [{ partitions: [{}, {}, {}] }] }),
      }),
      producer: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        send: async ({ messages }: { messages: Message[] }) => {
          const left = skip;
          skip = undefined;
          const taken = messages.filter((m) => m.partition !== left);
          stored.push(...taken);
          return [...new Set(taken.map((m) => m.partition))].map((partition) => ({ topicName: 'dlq', partition, errorCode: 0 }));
        },
      }),
    } as unknown as Kafka;
    const registry = new Registry();
    const p = new DeadLetterPublisher(kafka, { topic: 'dlq', sourceTopic: 's', registry });
    await p.connect();
    await p.publish([0, 1, 2, 3, 4, 5].map((i) => ({ ...letter(i, 100), partition: i })));
    expect(stored.map((m) => m.partition)).toEqual([0, 2, 0, 2, 1, 1]);
    expect(stored.map((m) => String(m.headers!['sipcap-source-offset'])).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect((await registry.getSingleMetric('sipcap_dead_letters_resent_total')!.get()).values[0].value).toBe(2);
  });
});
