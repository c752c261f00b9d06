/** One decoded HEP packet (any version), with the fields the capture agents use. */
export interface HepPacket {
  version: 1 | 2 | 3;
  /** 2 IPv4, 10 IPv6 (the `family` column). */
  family: number;
  /** IP protocol number as sent (17 UDP, 6 TCP, 132 SCTP); 0 when a HEP3 packet has no chunk 2. */
  ipProto: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** Capture time; 0 when the packet carries none (HEP v1, or HEP3 without chunks 9/10). */
  tsSec: number;
  tsUsec: number;
  /** 1 SIP, 5 RTCP, 100 log, ... HEP v1/v2 only carry SIP, so 1. */
  payloadType: number;
  /** Capture agent id; 0 when absent. */
  captureId: number;
  authKey?: string;
  correlationId?: string;
  vlan?: number;
  nodeName?: string;
  keepAlive?: number;
  /** A subarray of the input buffer (no copy), or a new buffer when the payload was compressed. */
  payload: Buffer;
  compressed: boolean;
}

export interface HepDecodeOptions {
  /**
   * Whether a compressed payload (chunk 16) of this payload type is inflated (default: every type). When it
   * says no, `payload` is the still-compressed chunk data (`compressed` true): no work for what is only counted.
   */
  inflate?: (payloadType: number) => boolean;
}

/**
 * Why a packet was rejected. Short and stable: the server uses them as a Prometheus label,
 * so the list is closed and exported for pre-registering the label values.
 */
export const HEP_ERROR_REASONS = [
  'empty',
  'unknown_version',
  'truncated_header',
  'bad_header_length',
  'bad_total_length',
  'chunk_too_short',
  'chunk_overflow',
  'bad_chunk_size',
  'bad_family',
  'missing_family',
  'missing_address',
  'missing_port',
  'missing_payload',
  'decompress',
  /** A compressed payload (chunk 16) that inflates beyond MAX_DECOMPRESSED_SIZE (64 KiB): a zip bomb. */
  'payload_too_large',
] as const;

export type HepErrorReason = (typeof HEP_ERROR_REASONS)[number];

export type HepResult = { ok: true; packet: HepPacket } | { ok: false; reason: HepErrorReason; message: string };

export function hepError(reason: HepErrorReason, message: string): HepResult {
  return { ok: false, reason, message };
}

/** Address families as HEP writes them (the socket AF_* values of Linux). */
export const AF_INET = 2;
export const AF_INET6 = 10;
