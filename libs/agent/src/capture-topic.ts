import type { Logger } from 'pino';
import { captureTopicOf, ensureTopic, kafkaAccessFailure, type createKafka } from '@sipcap/bus';
import type { AgentSettings } from './agent-runtime';

/**
 * Creates the capture topic when missing. A broker that does not answer yet is no reason not to start:
 * records queue (bounded) until it does; a refused login or certificate is, since waiting cannot fix it.
 */
export async function ensureCaptureTopic(kafka: ReturnType<typeof createKafka>, c: AgentSettings, log: Logger): Promise<void> {
  try {
    await ensureTopic(kafka, { ...captureTopicOf(c), log });
  } catch (e) {
    const access = kafkaAccessFailure(e);
    if (access) throw new Error(access, { cause: e });
    log.warn(
      { err: (e as Error).message, topic: c.KAFKA_TOPIC },
      'could not check or create the topic now; will publish once Kafka answers',
    );
  }
}
