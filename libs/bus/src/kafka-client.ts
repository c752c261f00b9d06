import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

// kafkajs prints a notice about its default partitioner on every producer; sipcap keys by Call-ID
// with the default (murmur2) partitioner on purpose.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose log lines go through the app's pino logger (kafkajs INFO is debug here). */
export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  const log = opts.log.child({ component: 'kafka' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    // Retries are short here: the producer and consumer loops above kafkajs retry forever themselves.
    retry: { initialRetryTime: 200, maxRetryTime: 3000, retries: 3 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const level = LEVEL[entry.level] ?? 'info';
      log[level === 'info' ? 'debug' : level]({ kafkaLogger: entry.namespace, ...rest }, message);
    },
  });
}
