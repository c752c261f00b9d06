/** The channel Redis publishes keyspace notifications of `key` in database `db` on. */
export function keyspaceChannel(db: number, key: string): string {
  return `__keyspace@${db}__:${key}`;
}

/**
 * The channel the CLI publishes on after changing the flag. Agents listen to it too, so a flip
 * is seen at once even where keyspace notifications cannot be enabled (managed Redis).
 */
export function changedChannel(key: string): string {
  return `${key}:changed`;
}
