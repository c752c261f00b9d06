/**
 * Table names are identifiers: they cannot travel as parameters, so every name is checked against a strict
 * pattern (after strftime expansion) and then quoted. PostgreSQL and MySQL both cap identifiers at 64 bytes
 * (PostgreSQL at 63), hence the length bound.
 */
export const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isValidTableName(name: string): boolean {
  return TABLE_NAME_PATTERN.test(name);
}

/** Returns the name when valid; throws an Error naming TABLE_NAME otherwise. */
export function assertTableName(name: string): string {
  if (!isValidTableName(name)) {
    throw new Error(
      `TABLE_NAME: "${name}" is not a valid table name (expected a letter or _, then letters, digits or _, at most 63 characters)`,
    );
  }
  return name;
}

/** PostgreSQL quoted identifier (names are validated first; quotes are doubled anyway). */
export function quotePg(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** MySQL/MariaDB quoted identifier. */
export function quoteMysql(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
