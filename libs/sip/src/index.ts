export { SipParser, parseSip, RTP_STAT_HEADERS } from './parse-sip';
export { SipText } from './sip-text';
export { SIP_ERROR_REASONS } from './sip-message';
export type { SipMessage, SipParty, SipContact, SipParseResult, SipErrorReason, SipParseOptions } from './sip-message';
export { COMPACT_HEADER_NAMES, headerKey } from './compact-names';
export { parseHostPort, type HostPort } from './host-port';
