import type { Store } from './store';

/**
 * A stored offset beyond the end of its Kafka partition means the topic was deleted and created again
 * (a new Kafka cluster, or a topic re-created by hand): its offsets started over at 0, and the stored
 * ones would make the writer skip every new message as already stored. Those offsets are set back to 0.
 * Returns the partitions reset. (A re-created topic that has already grown past the old offsets cannot
 * be told apart this way; the README says to reset sipcap_offsets when re-creating a topic.)
 */
export async function forgetStaleOffsets(
  store: Pick<Store, 'readOffsets' | 'resetOffsets'>,
  group: string,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
): Promise<number[]> {
  const stored = await store.readOffsets(group, topic);
  const stale = [...stored].filter(([partition, next]) => BigInt(next) > (ends.get(partition) ?? 0n)).map(([p]) => p);
  if (stale.length > 0) {
    await store.resetOffsets(group, topic, stale);
  }
  return stale;
}
