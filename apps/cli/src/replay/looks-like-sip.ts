const SIP_VERSION = Buffer.from('SIP/2.0');
/** A start line longer than this is not SIP (and scanning further would waste time on binary data). */
const MAX_START_LINE = 2048;

/**
 * Whether a payload starts with a SIP start line: `SIP/2.0 NNN ...` (a reply) or `METHOD SP URI SP SIP/2.0`
 * (a request, the method a token of letters). A cheap test to skip DNS, RTP and other UDP in a capture;
 * the agents parse the message fully.
 */
export function looksLikeSip(payload: Buffer): boolean {
  const n = Math.min(payload.length, MAX_START_LINE);
  let eol = payload.indexOf(0x0a);
  if (eol < 0 || eol > n) return false;
  if (eol > 0 && payload[eol - 1] === 0x0d) eol--;
  if (startsWith(payload, 0, SIP_VERSION)) {
    // SIP/2.0 SP 3DIGIT
    return eol >= 11 && payload[7] === 0x20 && isDigit(payload[8]) && isDigit(payload[9]) && isDigit(payload[10]);
  }
  let i = 0;
  while (i < eol && isUpperOrToken(payload[i])) i++;
  if (i === 0 || i >= eol || payload[i] !== 0x20) return false;
  const versionAt = eol - SIP_VERSION.length;
  return versionAt > i + 1 && payload[versionAt - 1] === 0x20 && startsWith(payload, versionAt, SIP_VERSION);
}

function startsWith(b: Buffer, at: number, prefix: Buffer): boolean {
  if (at + prefix.length > b.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Method names are tokens; in practice upper-case letters, digits, '-', '_' and '.'. */
function isUpperOrToken(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    isDigit(c) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x21 ||
    c === 0x25 ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x7e
  );
}
