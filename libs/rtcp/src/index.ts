/**
 * RTCP for the report tables. decodeRtcp(buf) → { ok: true, json } | { ok: false, reason, message }:
 * a binary compound RTCP packet as the JSON object heplify / captagent / rtpengine send in HEP type 5
 * (shape and field names: rtcp-json.ts and README.md). Bounded: at most 64 KiB in, a closed list of
 * error reasons (RTCP_ERROR_REASONS), never a throw. payloadText / jsonPayloadText check report and log
 * payloads that arrive as text.
 */
export { decodeRtcp, decodeRtcpToJson, MAX_REPORT_BLOCKS, MAX_SDES_ITEMS, type RtcpDecodeResult } from './decode-rtcp';
export { RTCP_ERROR_REASONS, MAX_RTCP_BYTES, type RtcpErrorReason } from './rtcp-error';
export type { RtcpJson, RtcpReportBlock, RtcpXrVoipFlat, RtcpVoipMetrics } from './rtcp-json';
export {
  payloadText,
  jsonPayloadText,
  looksLikeJson,
  TEXT_PAYLOAD_ERRORS,
  MAX_TEXT_PAYLOAD,
  type TextPayloadError,
  type TextPayloadResult,
} from './report-payload';
