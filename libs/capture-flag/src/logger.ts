/** The part of a pino logger this library uses, so any pino-like logger (or a test spy) fits. */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};
