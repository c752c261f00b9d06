import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import type { SipMessage } from '@sipcap/sip';

/**
 * What an operator does not want stored, applied at the agent before Kafka (as heplify-server's
 * DiscardMethod/CensorMethod and the `drop` of a Kamailio capture script): plain data, so decode workers
 * get it by structured clone. Methods are matched on the CSeq method, so a discarded OPTIONS takes its
 * 200 OK with it.
 */
export interface CaptureFilterSettings {
  /** FILTER_DISCARD_METHODS: requests of these methods and their replies (methods are case-sensitive: RFC 3261 7.1). */
  discardMethods?: readonly string[];
  /** FILTER_DISCARD_CODES: replies with these status codes. */
  discardCodes?: readonly number[];
  /** FILTER_DISCARD_SRC / FILTER_DISCARD_DST: addresses or CIDRs (IPv4, IPv6). */
  discardSrc?: readonly string[];
  discardDst?: readonly string[];
  /** FILTER_DISCARD_UA: a case-insensitive regular expression on User-Agent. */
  discardUserAgent?: string;
  /** FILTER_CENSOR_METHODS: stored without their body (requests of these methods and their replies). */
  censorMethods?: readonly string[];
}

/** Which kind of rule matched: the counter's `rule` label. */
export type FilterRule = 'method' | 'code' | 'src' | 'dst' | 'user_agent';

export type FilterVerdict = { action: 'keep' } | { action: 'censor' } | { action: 'discard'; rule: FilterRule; value: string };

const KEEP: FilterVerdict = { action: 'keep' };
const CENSOR: FilterVerdict = { action: 'censor' };
/** Decisions remembered per address or User-Agent; cleared when full (traffic has few, scans have many). */
const ADDRESS_CACHE_MAX = 4096;

/** Addresses and CIDRs, with the decision per address remembered (parsing an address costs more than a lookup). */
class AddressRule {
  private readonly v4: { net: number; mask: number; text: string }[] = [];
  private readonly v6: { list: BlockList; text: string }[] = [];
  private readonly cache = new Map<string, string | null>();

  constructor(readonly entries: readonly string[]) {
    for (const text of entries) {
      const [addr, bits] = text.split('/');
      if (isIPv4(addr)) {
        const prefix = bits === undefined ? 32 : Number(bits);
        const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
        this.v4.push({ net: (ipv4ToInt(addr)! & mask) >>> 0, mask, text });
      } else if (isIPv6(addr)) {
        const list = new BlockList();
        list.addSubnet(addr, bits === undefined ? 128 : Number(bits), 'ipv6');
        this.v6.push({ list, text });
      } else {
        throw new Error(`not an address or CIDR: "${text}"`);
      }
    }
  }

  get empty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** The entry that matches `ip`, or undefined. */
  match(ip: string): string | undefined {
    const hit = this.cache.get(ip);
    if (hit !== undefined) return hit ?? undefined;
    let found: string | null = null;
    const n = ipv4ToInt(ip);
    if (n !== undefined) {
      for (const r of this.v4)
        if ((n & r.mask) >>> 0 === r.net) {
          found = r.text;
          break;
        }
    } else if (isIPv6(ip)) {
      for (const r of this.v6)
        if (r.list.check(ip, 'ipv6')) {
          found = r.text;
          break;
        }
    }
    if (this.cache.size >= ADDRESS_CACHE_MAX) this.cache.clear();
    this.cache.set(ip, found);
    return found ?? undefined;
  }
}

function ipv4ToInt(ip: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (n * 256 + part) >>> 0;
}

/** The operator's filter rules, compiled once; `decide` runs per message after the SIP parse. */
export class CaptureFilter {
  private readonly discardMethods: Set<string>;
  private readonly discardCodes: Set<number>;
  private readonly censorMethods: Set<string>;
  private readonly src: AddressRule;
  private readonly dst: AddressRule;
  private readonly userAgent?: RegExp;
  private readonly userAgents = new Map<string, boolean>();
  /** False when no rule is set: the publisher skips the filter. */
  readonly active: boolean;

  constructor(s: CaptureFilterSettings = {}) {
    const upper = (list?: readonly string[]) => new Set((list ?? []).map((m) => m.trim()).filter(Boolean));
    this.discardMethods = upper(s.discardMethods);
    this.censorMethods = upper(s.censorMethods);
    this.discardCodes = new Set(s.discardCodes ?? []);
    this.src = new AddressRule(s.discardSrc ?? []);
    this.dst = new AddressRule(s.discardDst ?? []);
    if (s.discardUserAgent) this.userAgent = new RegExp(s.discardUserAgent, 'i');
    this.active =
      this.discardMethods.size + this.censorMethods.size + this.discardCodes.size > 0 ||
      !this.src.empty ||
      !this.dst.empty ||
      this.userAgent !== undefined;
  }

  decide(sip: SipMessage, srcIp: string, dstIp: string): FilterVerdict {
    const method = sip.isRequest ? sip.method : sip.cseqMethod;
    if (this.discardMethods.has(method)) return { action: 'discard', rule: 'method', value: method };
    if (!sip.isRequest && this.discardCodes.has(sip.statusCode)) return { action: 'discard', rule: 'code', value: String(sip.statusCode) };
    if (!this.src.empty) {
      const hit = this.src.match(srcIp);
      if (hit) return { action: 'discard', rule: 'src', value: hit };
    }
    if (!this.dst.empty) {
      const hit = this.dst.match(dstIp);
      if (hit) return { action: 'discard', rule: 'dst', value: hit };
    }
    if (this.userAgent && sip.userAgent !== '' && this.userAgentMatches(sip.userAgent))
      return { action: 'discard', rule: 'user_agent', value: this.userAgent.source };
    if (this.censorMethods.has(method)) return CENSOR;
    return KEEP;
  }

  /** The pattern's answer per User-Agent (a few agents send most traffic), bounded like the addresses'. */
  private userAgentMatches(ua: string): boolean {
    let hit = this.userAgents.get(ua);
    if (hit === undefined) {
      hit = this.userAgent!.test(ua);
      if (this.userAgents.size >= ADDRESS_CACHE_MAX) this.userAgents.clear();
      this.userAgents.set(ua, hit);
    }
    return hit;
  }

  /** Every rule as configured, for the counter's series to exist from the start. */
  labels(): { action: 'discard' | 'censor'; rule: FilterRule; value: string }[] {
    const out: { action: 'discard' | 'censor'; rule: FilterRule; value: string }[] = [];
    for (const m of this.discardMethods) out.push({ action: 'discard', rule: 'method', value: m });
    for (const c of this.discardCodes) out.push({ action: 'discard', rule: 'code', value: String(c) });
    for (const a of this.src.entries) out.push({ action: 'discard', rule: 'src', value: a });
    for (const a of this.dst.entries) out.push({ action: 'discard', rule: 'dst', value: a });
    if (this.userAgent) out.push({ action: 'discard', rule: 'user_agent', value: this.userAgent.source });
    for (const m of this.censorMethods) out.push({ action: 'censor', rule: 'method', value: m });
    return out;
  }
}

/** The message without its body: headers and the blank line (the SIP values located in it stay valid). */
export function censoredMessage(msg: Buffer): Buffer {
  const end = msg.indexOf('\r\n\r\n');
  return end < 0 ? msg : msg.subarray(0, end + 4);
}

/** sipcap_filter_total{action, rule, value}: the messages each rule discarded or censored. */
export function filterCounter(filter: CaptureFilter, registry?: Registry): Counter<'action' | 'rule' | 'value'> {
  const c = new Counter({
    name: 'sipcap_filter_total',
    help: 'Messages discarded or censored (body removed) at the agent by the FILTER_* rules, by action, rule and configured value',
    labelNames: ['action', 'rule', 'value'],
    registers: registry ? [registry] : [],
  });
  for (const l of filter.labels()) c.inc(l, 0);
  return c;
}
