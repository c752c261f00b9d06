/** Exit codes: 0 ok, 1 runtime failure (a server, a file, the network), 2 usage error (command line or settings). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command line or a setting is wrong: the message says what to type instead. Exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something outside the command line failed (Redis down, file unreadable): the message says what to do. Exit code 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** The text of any thrown value, for messages. */
export function errorText(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors.map(errorText).join('; ');
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
