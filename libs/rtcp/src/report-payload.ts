/**
 * Report payloads that arrive as text (JSON reports from rtpengine/captagent, log lines): what is stored
 * is the payload as received, once it is known to be storable text. A closed list of reasons for the rest.
 */
export const TEXT_PAYLOAD_ERRORS = ['empty', 'too_large', 'not_utf8', 'not_json'] as const;
export type TextPayloadError = (typeof TEXT_PAYLOAD_ERRORS)[number];

/** Longest report or log payload kept (bytes): a UDP datagram; HEP carries no more. */
export const MAX_TEXT_PAYLOAD = 65535;

const decoder = new TextDecoder('utf-8', { fatal: true });

export type TextPayloadResult = { ok: true; text: string } | { ok: false; reason: TextPayloadError; message: string };

/** A payload as UTF-8 text (no NUL: text columns cannot hold it), within MAX_TEXT_PAYLOAD. */
export function payloadText(buf: Buffer): TextPayloadResult {
  if (buf.length === 0) return { ok: false, reason: 'empty', message: 'empty payload' };
  if (buf.length > MAX_TEXT_PAYLOAD)
    return { ok: false, reason: 'too_large', message: `${buf.length} bytes is more than ${MAX_TEXT_PAYLOAD}` };
  let text: string;
  try {
    text = decoder.decode(buf);
  } catch {
    return { ok: false, reason: 'not_utf8', message: 'payload is not valid UTF-8' };
  }
  if (text.includes('\0')) return { ok: false, reason: 'not_utf8', message: 'payload holds a NUL character' };
  return { ok: true, text };
}

/**
 * A JSON report: UTF-8 text that starts with { or [ and ends with } or ] (blanks aside). It is stored
 * exactly as received, not parsed: senders' hand-built JSON is not always strict (a trailing comma), and
 * Kamailio stores it as it comes too. Readers parse leniently.
 */
export function jsonPayloadText(buf: Buffer): TextPayloadResult {
  const t = payloadText(buf);
  if (!t.ok) return t;
  const s = t.text.trim();
  const open = s[0];
  const close = s[s.length - 1];
  if (!((open === '{' && close === '}') || (open === '[' && close === ']'))) {
    return { ok: false, reason: 'not_json', message: 'payload is not a JSON object or array ({...} or [...])' };
  }
  return t;
}

/** Whether an RTCP payload (HEP type 5) is JSON already (rtpengine, captagent) rather than binary RTCP. */
export function looksLikeJson(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b; // { or [ : a binary RTCP packet starts with 0x80..0xbf
  }
  return false;
}
