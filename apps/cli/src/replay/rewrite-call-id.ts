/**
 * The message with `suffix` appended to the Call-ID value (long form `Call-ID` or compact `i`, any case),
 * so that each replay loop makes new calls. Only the header section is searched; every Call-ID header
 * line is rewritten (there should be one). The body and Content-Length are untouched. A message without
 * a Call-ID is returned as it is.
 */
export function rewriteCallId(msg: Buffer, suffix: string): Buffer {
  const tail = Buffer.from(suffix, 'latin1');
  const parts: Buffer[] = [];
  let copied = 0;
  let line = msg.indexOf(0x0a) + 1; // skip the start line
  if (line === 0) return msg;
  while (line < msg.length) {
    let eol = msg.indexOf(0x0a, line);
    if (eol < 0) eol = msg.length;
    const end = eol > line && msg[eol - 1] === 0x0d ? eol - 1 : eol;
    if (end === line) break; // the empty line: headers end here
    const colon = callIdColon(msg, line, end);
    if (colon >= 0) {
      let valueEnd = end;
      while (valueEnd > colon + 1 && (msg[valueEnd - 1] === 0x20 || msg[valueEnd - 1] === 0x09)) valueEnd--;
      parts.push(msg.subarray(copied, valueEnd), tail);
      copied = valueEnd;
    }
    line = eol + 1;
  }
  if (parts.length === 0) return msg;
  parts.push(msg.subarray(copied));
  return Buffer.concat(parts);
}

/** Offset of the ':' when the line is a Call-ID header, else -1. */
function callIdColon(b: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && b[i] !== 0x3a && b[i] !== 0x20 && b[i] !== 0x09) i++;
  const nameEnd = i;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  if (i >= end || b[i] !== 0x3a) return -1;
  const len = nameEnd - start;
  if (len === 1) return (b[start] | 0x20) === 0x69 ? i : -1; // i
  if (len !== 7) return -1;
  return b.toString('latin1', start, nameEnd).toLowerCase() === 'call-id' ? i : -1;
}
