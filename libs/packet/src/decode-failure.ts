/**
 * Why a frame could not be decoded to a transport payload. The reason is a short fixed string, usable
 * as a Prometheus label; the message says where, for logs.
 */
export const DECODE_FAILURE_REASONS = [
  /** A header runs past the captured bytes (snaplen, or a corrupt length field). */
  'truncated',
  /** A header field holds an impossible value (IHL < 5, UDP length < 8, IP version mismatch, ...). */
  'bad-header',
  'unsupported-linktype',
  /** ARP, LLDP, 802.3 length frames, ... */
  'unsupported-ethertype',
  /** ICMP, OSPF, ESP (encrypted), no-next-header, GRE payloads we do not follow, ... */
  'unsupported-protocol',
  /** More encapsulations than MAX_TUNNEL_DEPTH. */
  'tunnel-too-deep',
] as const;

export type DecodeFailureReason = (typeof DECODE_FAILURE_REASONS)[number];

export interface DecodeFailure {
  ok: false;
  reason: DecodeFailureReason;
  message: string;
}

export function fail(reason: DecodeFailureReason, message: string): DecodeFailure {
  return { ok: false, reason, message };
}
