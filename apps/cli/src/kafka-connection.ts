import pino, { type Logger } from 'pino';
import type { Kafka } from 'kafkajs';
import { createKafka, kafkaAccessFailure } from '@sipcap/bus';
import type { KafkaSecuritySettings } from '@sipcap/config';
import { errorText } from './cli-errors';

/**
 * The CLI's logger, on stderr: silent unless LOG_LEVEL asks for debug or trace (kafkajs retries would
 * otherwise interleave JSON lines with the command's output; the command reports failures itself).
 */
export function cliLogger(level: string | undefined): Logger {
  const wanted = level === 'debug' || level === 'trace' ? level : 'silent';
  return pino({ level: wanted }, pino.destination(2));
}

/** Throws (a plain Error naming the setting) when a file of the KAFKA_SSL_* / KAFKA_SASL_PASSWORD_FILE settings cannot be read. */
export function cliKafka(brokers: string[], log: Logger, security?: Partial<KafkaSecuritySettings>): Kafka {
  // An operator waits for the answer: a broker that accepts connections and never answers is named
  // within about 10 s (3 s connect, 5 s per request, one retry), not after kafkajs' 15 s per request.
  return createKafka({ brokers, clientId: 'sipcap-cli', log, security, requestTimeoutMs: 5000, retries: 1 });
}

/** The broker took the connection and then said nothing (or no broker of the list could be used). */
export function isSilentBroker(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { name?: string; message?: string; originalError?: unknown; cause?: unknown };
    if (err.name === 'KafkaJSRequestTimeoutError' || /timed out|Broker not connected/i.test(err.message ?? '')) return true;
    cur = err.originalError ?? err.cause;
  }
  return false;
}

/** The error, or the one it wraps, is about reaching the broker at all. */
export function isConnectionError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { name?: string; message?: string; originalError?: unknown; cause?: unknown };
    if (err.name === 'KafkaJSConnectionError' || err.name === 'KafkaJSBrokerNotFound') return true;
    if (/ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection timeout|Failed to connect/i.test(err.message ?? '')) return true;
    cur = err.originalError ?? err.cause;
  }
  return false;
}

/** What to tell the operator when a Kafka call fails. */
export function kafkaFailureText(brokers: string[], e: unknown): string {
  const access = kafkaAccessFailure(e);
  if (access) return `${access} (Kafka at ${brokers.join(',')})`;
  if (isConnectionError(e))
    return `cannot reach Kafka at ${brokers.join(',')} (KAFKA_BROKERS): ${errorText(e)}; start it (bash scripts/kafka.sh start) or point KAFKA_BROKERS at it`;
  if (isSilentBroker(e))
    return `Kafka at ${brokers.join(',')} (KAFKA_BROKERS) took the connection but did not answer (${errorText(e)}): is it a Kafka broker, and is KAFKA_SECURITY_PROTOCOL right?`;
  return `Kafka at ${brokers.join(',')} answered with an error: ${errorText(e)}`;
}
