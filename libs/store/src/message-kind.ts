/**
 * HOMER 5's split of sip_capture by kind of message, as its Kamailio script does with
 * `sip_capture("sip_capture_call_%Y%m%d")`: the method of the CSeq (so a response goes where its request
 * went) decides. Calls: the INVITE dialog's methods; registrations: REGISTER; the rest: everything else
 * (OPTIONS, NOTIFY, SUBSCRIBE, MESSAGE, PUBLISH, unparsed messages).
 */
export type MessageKind = 'call' | 'registration' | 'rest';

export const MESSAGE_KINDS: readonly MessageKind[] = ['call', 'registration', 'rest'];

const CALL_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'PRACK', 'UPDATE', 'INFO', 'REFER']);

/** The kind of a message from its CSeq header value (`1 INVITE`). */
export function messageKind(cseq: string): MessageKind {
  const space = cseq.lastIndexOf(' ');
  const method = (space < 0 ? cseq : cseq.slice(space + 1)).trim().toUpperCase();
  if (method === 'REGISTER') return 'registration';
  return CALL_METHODS.has(method) ? 'call' : 'rest';
}
