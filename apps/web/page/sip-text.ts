/** A SIP message split for display: start line, header lines, body (pure: no DOM). */
export interface SipParts {
  startLine: string;
  headers: { name: string; value: string }[];
  body: string;
}

/** The bytes of a base64 text. */
export function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Message bytes as text: UTF-8, with U+FFFD where the bytes are not (never throws). */
export function messageText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/**
 * Splits at the first empty line (CRLF CRLF, or bare LF LF). Folded header lines (starting with a
 * space or tab) stay with the header they continue.
 */
export function splitSip(text: string): SipParts {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : '';
  const lines = head.split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const headers: { name: string; value: string }[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      headers[headers.length - 1].value += '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).replace(/^[ \t]+/, '') });
    else headers.push({ name: '', value: line });
  }
  return { startLine, headers, body };
}
