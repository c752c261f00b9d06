/**
 * Why a buffer is not a decodable compound RTCP packet: a closed list, for a counter's reason label.
 * - too_short: fewer bytes than one RTCP header (4) or than the packet's fixed part.
 * - too_large: more than MAX_RTCP_BYTES (a UDP datagram; HEP carries no more).
 * - bad_version: a packet whose version bits are not 2.
 * - bad_type: the first packet is not one of 200..207 (not RTCP, or RTP muxed on the port).
 * - bad_length: a length word that runs past the buffer, or leftover bytes that are no packet.
 * - bad_padding: the padding count is 0 or larger than the packet, or padding on a packet that is not the last.
 * - truncated: a packet shorter than what its own count says it holds (report blocks, SDES chunks, XR blocks).
 */
export const RTCP_ERROR_REASONS = ['too_short', 'too_large', 'bad_version', 'bad_type', 'bad_length', 'bad_padding', 'truncated'] as const;
export type RtcpErrorReason = (typeof RTCP_ERROR_REASONS)[number];

export class RtcpError extends Error {
  constructor(
    readonly reason: RtcpErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** A UDP payload at most; nothing longer comes from HEP or a datagram. */
export const MAX_RTCP_BYTES = 65535;
