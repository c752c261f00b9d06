/** Where a command writes and what it reads of its surroundings, so commands can run in-process in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: draw the progress bar there. */
  errIsTty: boolean;
  /** Columns of the stderr terminal (for the progress bar). */
  errColumns: number;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTty: process.stderr.isTTY === true,
    errColumns: process.stderr.columns || 80, // 0 when the terminal does not say
    env: process.env,
  };
}
