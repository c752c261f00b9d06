/**
 * Indexes of `SipMessage.textAt`: the text fields whose bytes a capture record can take straight from
 * the message instead of encoding the string again.
 */
export const SipText = {
  METHOD: 0,
  REASON: 1,
  RURI: 2,
  RURI_USER: 3,
  RURI_HOST: 4,
  FROM_USER: 5,
  FROM_HOST: 6,
  FROM_TAG: 7,
  TO_USER: 8,
  TO_HOST: 9,
  TO_TAG: 10,
  PID_USER: 11,
  CONTACT_USER: 12,
  CONTACT_HOST: 13,
  AUTHORIZATION: 14,
  PROXY_AUTHORIZATION: 15,
  AUTH_USERNAME: 16,
  CALL_ID: 17,
  VIA1: 18,
  VIA1_BRANCH: 19,
  CSEQ: 20,
  DIVERSION: 21,
  REASON_HEADER: 22,
  CONTENT_TYPE: 23,
  USER_AGENT: 24,
  RTP_STAT: 25,
} as const;

/** A textAt in which no field is located yet (a literal: cheaper to allocate than an array fill). */
export function unlocatedText(): number[] {
  return [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];
}
