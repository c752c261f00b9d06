import type { Logger } from 'pino';
import produce from 'kafkajs/src/protocol/requests/produce/index.js';
import { canEncodeProduceRequest, encodeProduceRequest, NATIVE_CRC32C } from './produce-request-encoder';

let installed = false;

/**
 * Makes kafkajs encode its Produce requests (versions 3-7: every broker sipcap supports) with
 * `encodeProduceRequest`: the same bytes in one pass. kafkajs looks the request definition up in this
 * module's `protocol` on every send, so replacing it here reaches every producer of the process. A
 * compressed request, or one with headers or null values (the dead-letter topic), keeps kafkajs' encoder.
 * The first call says, through `log`, when the CRC32C is kafkajs' JavaScript one (no native binary).
 */
export function installProduceEncoder(log: Logger): void {
  if (installed) return;
  installed = true;
  if (!NATIVE_CRC32C)
    log.warn(
      '@node-rs/crc32 has no binary for this platform (or optional packages were omitted): record batches use the slower JavaScript CRC32C',
    );
  const original = produce.protocol;
  produce.protocol = ({ version }) => {
    const make = original({ version });
    if (version < 3) return make;
    return (args) => {
      const made = make(args);
      if (!canEncodeProduceRequest(args, args.compression ?? 0)) return made;
      const encode = async () => {
        const buf = encodeProduceRequest(args);
        return { buf, buffer: buf };
      };
      return { ...made, request: { ...made.request, encode } };
    };
  };
}
