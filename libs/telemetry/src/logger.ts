import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON lines on stdout, one logger per app; `app` and `node` are on every line. */
export function createLogger(app: string, level = 'info', base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { app, pid: process.pid, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
