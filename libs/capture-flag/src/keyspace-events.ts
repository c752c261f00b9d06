/**
 * Flags of `notify-keyspace-events` the flag needs: K (keyspace channel), $ (SET), g (DEL, EXPIRE,
 * RENAME) and x (the key expiring by itself). 'A' stands for all event classes, so it covers $, g and x.
 */
const NEEDED_CLASSES = ['$', 'g', 'x'] as const;

/**
 * The `notify-keyspace-events` value that keeps what is already enabled and adds what the flag needs,
 * or null when nothing is missing (so a Redis set up by its operator is left untouched).
 */
export function withKeyspaceFlags(current: string): string | null {
  let missing = current.includes('K') ? '' : 'K';
  if (!current.includes('A')) {
    for (const c of NEEDED_CLASSES) if (!current.includes(c)) missing += c;
  }
  return missing ? current + missing : null;
}
