/**
 * The message with `suffix` appended to the Call-ID value (long form `Call-ID` or compact `i`, any case)
 * and to the value of each header named in `alegHeaders` (the A-leg correlation headers, `X-CID` by
 * default as in CALLID_ALEG_HEADER), so that each replay loop makes new calls whose legs still link to
 * each other. Only the header section is searched; every matching line is rewritten. The body and
 * Content-Length are untouched. A message with none of these headers is returned as it is.
 */
export function rewriteCallId(msg: Buffer, suffix: string, alegHeaders: readonly string[] = ['X-CID']): Buffer {
  const names = new Set(['call-id', 'i', ...alegHeaders.map((h) => h.toLowerCase())]);
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
    const colon = headerColon(msg, line, end, names);
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

/** Offset of the ':' when the line is a header whose lower-case name is in `names`, else -1. */
function headerColon(b: Buffer, start: number, end: number, names: ReadonlySet<string>): number {
  let i = start;
  while (i < end && b[i] !== 0x3a && b[i] !== 0x20 && b[i] !== 0x09) i++;
  const nameEnd = i;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  if (i >= end || b[i] !== 0x3a) return -1;
  if (nameEnd - start > 64) return -1; // no header of interest is this long: spare the string
  return names.has(b.toString('latin1', start, nameEnd).toLowerCase()) ? i : -1;
}
