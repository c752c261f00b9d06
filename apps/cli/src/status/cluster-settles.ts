import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Errors of a moment on a cluster that answered a moment ago: the group coordinator moving (a new
 * cluster, a broker just restarted) or a broker just killed that the metadata still lists (until the
 * controller fences it, some seconds). Asked again for up to 5 s, so status works through a broker loss.
 */
// kafkajs' names of Kafka's error codes 14, 15 and 16.
const COORDINATOR_MOVING = new Set(['GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP']);

function momentary(e: unknown): boolean {
  const err = e as { name?: string; type?: string; originalError?: unknown };
  if (COORDINATOR_MOVING.has(err?.type ?? '') || err?.name === 'KafkaJSConnectionError') return true;
  return err?.originalError !== undefined && momentary(err.originalError);
}

export async function whileClusterSettles<T>(ask: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (e) {
      if (attempt >= 10 || !momentary(e)) throw e;
      await sleep(500);
    }
  }
}
