import type { CaptureRecord } from './capture-record';

/** A complete, plausible record for tests and benchmarks; override what the test is about. */
export function sampleRecord(overrides: Partial<CaptureRecord> = {}): CaptureRecord {
  const callid = overrides.callid ?? 'a84b4c76e66710@pc33.atlanta.example.com';
  const msg =
    overrides.msg ??
    Buffer.from(
      'INVITE sip:bob@biloxi.example.com SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n' +
        'Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n' +
        'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
        `Call-ID: ${callid}\r\nCSeq: 314159 INVITE\r\n` +
        'Contact: <sip:alice@pc33.atlanta.example.com>\r\nContent-Length: 0\r\n\r\n',
    );
  return {
    micro_ts: 1_700_000_000_123_456n,
    method: 'INVITE',
    reply_reason: '',
    ruri: 'sip:bob@biloxi.example.com',
    ruri_user: 'bob',
    ruri_domain: 'biloxi.example.com',
    from_user: 'alice',
    from_domain: 'atlanta.example.com',
    from_tag: '1928301774',
    to_user: 'bob',
    to_domain: 'biloxi.example.com',
    to_tag: '',
    pid_user: '',
    contact_user: 'alice',
    auth_user: '',
    callid,
    callid_aleg: '',
    via_1: 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
    via_1_branch: 'z9hG4bK776asdhds',
    cseq: '314159 INVITE',
    diversion: '',
    reason: '',
    content_type: '',
    auth: '',
    user_agent: '',
    source_ip: '192.0.2.10',
    source_port: 5060,
    destination_ip: '192.0.2.20',
    destination_port: 5060,
    contact_ip: 'pc33.atlanta.example.com',
    contact_port: 0,
    originator_ip: '',
    originator_port: 0,
    expires: -1,
    correlation_id: callid,
    custom_field1: '',
    custom_field2: '',
    custom_field3: '',
    proto: 1,
    family: 2,
    rtp_stat: '',
    type: 1,
    node: 'homer01',
    msg,
    ...overrides,
  };
}
