import { formatIpv4, formatIpv6, parseIp } from '@sipcap/hep';

/** One media stream's addresses from an SDP: where its RTP and its RTCP go. */
export interface MediaAddress {
  ip: string;
  rtpPort: number;
  /** RTP port + 1, or the port of `a=rtcp:` (RFC 3605). */
  rtcpPort: number;
  /** The address of `a=rtcp:PORT IN IP4 ADDR`, when it names one other than the stream's. */
  rtcpIp?: string;
}

/** The Call-ID of a SIP message with an SDP body, and the media addresses that body announces. */
export interface SdpMedia {
  callId: string;
  media: MediaAddress[];
}

/** Streams taken from one SDP at most (an SDP with more is cut here: the map stays bounded per message). */
export const MAX_SDP_STREAMS = 16;
/** Header lines looked at for the Call-ID. */
const MAX_HEADER_LINES = 200;

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Call-ID and media addresses (c= and m= lines, a=rtcp) of a SIP message carrying SDP, or undefined
 * when it carries none (no body, not SDP, no Call-ID, no usable stream). A plain scan of the text, no
 * full SIP parse: only what RTCP correlation needs. Streams on port 0 (refused) or at 0.0.0.0 / ::
 * (on hold) are left out; IPv6 addresses are written as the packet decoder writes them (RFC 5952).
 */
export function sdpMedia(sip: Buffer): SdpMedia | undefined {
  const headerEnd = sip.indexOf(CRLF2);
  if (headerEnd < 0 || headerEnd + 4 >= sip.length) return undefined;
  const bodyStart = headerEnd + 4;
  // An SDP body starts with its version line.
  if (sip[bodyStart] !== 0x76 /* v */ || sip[bodyStart + 1] !== 0x3d /* = */) return undefined;
  const callId = callIdOf(sip.toString('latin1', 0, headerEnd));
  if (callId === undefined) return undefined;
  const media = streams(sip.toString('latin1', bodyStart));
  return media.length > 0 ? { callId, media } : undefined;
}

function callIdOf(headers: string): string | undefined {
  let at = headers.indexOf('\r\n');
  for (let n = 0; at >= 0 && n < MAX_HEADER_LINES; n++) {
    const start = at + 2;
    const end = headers.indexOf('\r\n', start);
    const stop = end < 0 ? headers.length : end;
    const c = headers.charCodeAt(start) | 0x20;
    // Call-ID or its compact form i
    if (c === 0x63 /* c */ || c === 0x69 /* i */) {
      const colon = headers.indexOf(':', start);
      if (colon > start && colon < stop) {
        const name = headers.slice(start, colon).trim().toLowerCase();
        if (name === 'call-id' || name === 'i') {
          const value = headers.slice(colon + 1, stop).trim();
          return value.length > 0 ? value : undefined;
        }
      }
    }
    at = end;
  }
  return undefined;
}

interface Section {
  port: number;
  ip?: string;
  rtcpPort?: number;
  rtcpIp?: string;
}

function streams(body: string): MediaAddress[] {
  let sessionIp: string | undefined;
  const sections: Section[] = [];
  let current: Section | undefined;
  for (let start = 0; start < body.length;) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    const next = end + 1;
    if (end > start && body.charCodeAt(end - 1) === 0x0d) end--;
    const type = body.charCodeAt(start);
    if (
      end - start >= 3 &&
      body.charCodeAt(start + 1) === 0x3d /* = */ &&
      (type === 0x6d /* m */ || type === 0x63 /* c */ || type === 0x61) /* a */
    ) {
      const value = body.slice(start + 2, end);
      if (type === 0x6d) {
        if (sections.length >= MAX_SDP_STREAMS) return finish(sections, sessionIp);
        // m=<media> <port>[/<count>] <proto> <fmt> ...
        const port = Number(/^\S+ (\d{1,5})(?:\/\d+)? /.exec(value)?.[1] ?? NaN);
        current = { port: port >= 1 && port <= 65535 ? port : 0 };
        sections.push(current);
      } else if (type === 0x63) {
        const ip = connectionIp(value);
        if (current === undefined) sessionIp = ip;
        else current.ip = ip;
      } else if (current !== undefined && value.startsWith('rtcp:')) {
        // a=rtcp:<port> [IN IP4|IP6 <address>]
        const m = /^rtcp:(\d{1,5})(?: IN IP[46] (\S+))?/.exec(value);
        const port = Number(m?.[1] ?? NaN);
        if (port >= 1 && port <= 65535) {
          current.rtcpPort = port;
          if (m?.[2] !== undefined) current.rtcpIp = normalIp(m[2]);
        }
      }
    }
    start = next;
  }
  return finish(sections, sessionIp);
}

function finish(sections: Section[], sessionIp: string | undefined): MediaAddress[] {
  const out: MediaAddress[] = [];
  for (const s of sections) {
    const ip = s.ip ?? sessionIp;
    if (s.port === 0 || ip === undefined) continue;
    const a: MediaAddress = { ip, rtpPort: s.port, rtcpPort: s.rtcpPort ?? (s.port < 65535 ? s.port + 1 : s.port) };
    if (s.rtcpIp !== undefined && s.rtcpIp !== ip) a.rtcpIp = s.rtcpIp;
    out.push(a);
  }
  return out;
}

/** `IN IP4 <addr>[/ttl[/n]]` → the address, undefined for anything else or an unspecified address. */
function connectionIp(value: string): string | undefined {
  const m = /^IN IP[46] ([^\s/]+)/.exec(value);
  if (!m) return undefined;
  const ip = normalIp(m[1]);
  return ip === '0.0.0.0' || ip === '::' ? undefined : ip;
}

/** An address as the packet decoder writes it (libs/hep's text: RFC 5952 for IPv6), or undefined when it is not one (a host name). */
function normalIp(text: string): string | undefined {
  const ip = parseIp(text);
  if (ip === undefined) return undefined;
  return ip.family === 2 ? formatIpv4(ip.bytes, 0) : formatIpv6(ip.bytes, 0);
}
