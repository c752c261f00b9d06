import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKafka, ensureTopic } from '@sipcap/bus';
import { decodeRecord, REPORT_RECORD_VERSION, splitRecordValue, type CaptureRecord } from '@sipcap/record';

export const BROKERS = [`127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`];
export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function testKafka(clientId = 'sipcap-test') {
  return createKafka({ brokers: BROKERS, clientId, log: quietLog });
}

/** A fresh topic for one test, so tests never read each other's records. */
export async function freshTopic(partitions = 3, prefix = 'test'): Promise<string> {
  const topic = uniqueName(prefix);
  await ensureTopic(testKafka(), { topic, partitions });
  return topic;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Every SIP capture record of a Kafka value (one record, or a record batch), decoded; throws on a bad value. */
export function recordsOfValue(value: Buffer | null): CaptureRecord[] {
  const split = value ? splitRecordValue(value) : ({ ok: false, message: 'empty value' } as const);
  if (!split.ok) throw new Error(split.message);
  // Report records (RTCP, QoS reports, logs: a HEP payload type mutated into 5, 32 or 100 is one) are not SIP records.
  return split.records
    .filter((r) => r[0] !== REPORT_RECORD_VERSION)
    .map((r) => {
      const d = decodeRecord(r);
      if (!d.ok) throw new Error(d.message);
      return d.record;
    });
}
