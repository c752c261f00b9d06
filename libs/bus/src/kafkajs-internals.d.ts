// The parts of kafkajs' internals that libs/bus replaces (install-produce-encoder.ts); kafkajs 2.2.4.
declare module 'kafkajs/src/protocol/requests/produce/index.js' {
  /** A request as kafkajs' connection sends it; `encode` resolves to an Encoder (`buf` and `buffer` are read). */
  interface KafkaRequest {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    expectResponse?: () => boolean;
    encode: () => Promise<{ buf: Buffer; buffer: Buffer }>;
  }
  type MakeProduce = (args: import('./produce-request-encoder').ProduceArgs & { compression?: number }) => {
    request: KafkaRequest;
    response: unknown;
  };
  const produce: { versions: string[]; protocol: (v: { version: number }) => MakeProduce };
  export default produce;
}

declare module 'kafkajs/src/protocol/recordBatch/crc32C/index.js' {
  /** kafkajs' CRC32C in JavaScript, unsigned. */
  const crc32c: (bytes: Buffer) => number;
  export default crc32c;
}
