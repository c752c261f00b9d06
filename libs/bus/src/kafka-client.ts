import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSecuritySettings } from '@sipcap/config';
import { kafkaSecurityOptions } from './kafka-security';
import { installProduceEncoder } from './install-produce-encoder';

// kafkajs prints a notice about its default partitioner on every producer; sipcap keys by Call-ID
// with the default (murmur2) partitioner on purpose.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * What kafkajs logs as ERROR while a broker or group is settling (a coordinator loading after a start, a
 * rebalance, a leader election) and then retries by itself: debug here, so a start does not read like a
 * failure. A real failure surfaces through the caller's own error handling.
 */
const TRANSIENT =
  /coordinator is (loading|not available)|not the correct coordinator|group is rebalancing|no leader for this topic-partition|does not host this topic-partition|leadership election|not the leader/i;

export function isTransientKafkaLog(message: string, error?: unknown): boolean {
  return TRANSIENT.test(message) || (typeof error === 'string' && TRANSIENT.test(error));
}

/**
 * A kafkajs client whose log lines go through the app's pino logger (kafkajs INFO and transient errors are
 * debug here), with the transport security of `security` (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*,
 * KAFKA_SSL_*): TLS and SASL on every connection the client opens, producers, consumers and admin alike.
 * Throws when a file named by a setting cannot be read or the settings do not fit together.
 */
/** `requestTimeoutMs`/`retries`: a command line answers an operator within seconds (defaults 15 s and 3 for the apps). */
export function createKafka(opts: {
  brokers: string[];
  clientId: string;
  log: Logger;
  security?: Partial<KafkaSecuritySettings>;
  requestTimeoutMs?: number;
  retries?: number;
}): Kafka {
  const log = opts.log.child({ component: 'kafka' });
  installProduceEncoder(log);
  const { ssl, sasl } = kafkaSecurityOptions(opts.security ?? {});
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 3000,
    requestTimeout: opts.requestTimeoutMs ?? 15_000,
    // Retries are short here: the producer and consumer loops above kafkajs retry forever themselves.
    retry: { initialRetryTime: 200, maxRetryTime: 3000, retries: opts.retries ?? 3 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const level = LEVEL[entry.level] ?? 'info';
      const quiet = level === 'info' || isTransientKafkaLog(message, (rest as { error?: unknown }).error);
      log[quiet ? 'debug' : level]({ kafkaLogger: entry.namespace, ...rest }, message);
    },
  });
}
