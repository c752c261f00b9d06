import { BlockList, isIP } from 'node:net';

/** The peer label of an address that no STATS_PEERS entry covers. */
export const OTHER_PEER = 'other';

interface PeerEntry {
  name: string;
  list: BlockList;
  /** Prefix length: the longest matching prefix wins. */
  bits: number;
  /** IPv4 entries: network and mask as unsigned 32-bit numbers (matched without BlockList's per-call objects). */
  v4?: { net: number; mask: number };
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number, or -1 when it is not one. */
export function ipv4Number(ip: string): number {
  let n = 0;
  let part = -1;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (part < 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = -1;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + c - 48;
      if (part > 255) return -1;
    } else return -1;
  }
  if (part < 0 || dots !== 3) return -1;
  return n * 256 + part;
}

/**
 * Address → peer name from STATS_PEERS (`carrierA=203.0.113.0/24,pbx=10.0.0.5,v6=2001:db8::/32`).
 * Several entries may share a name. The longest matching prefix wins; an address no entry covers is
 * `other`, so the `peer` label has at most (names + 1) values whatever the traffic. Answers are cached
 * (bounded: `cacheItems`).
 */
export class PeerMap {
  private readonly entries: PeerEntry[];
  private readonly v4: PeerEntry[];
  private readonly cache = new Map<string, string>();
  /** The distinct peer names in the order listed, `other` last. */
  readonly names: readonly string[];

  constructor(
    spec: string,
    private readonly cacheItems = 10_000,
  ) {
    const listed = parsePeers(spec);
    this.names = [...new Set(listed.map((e) => e.name)), OTHER_PEER];
    this.entries = [...listed].sort((a, b) => b.bits - a.bits);
    this.v4 = this.entries.filter((e) => e.v4 !== undefined);
  }

  peerOf(ip: string): string {
    if (this.entries.length === 0) return OTHER_PEER;
    const n = ipv4Number(ip);
    if (n >= 0) {
      for (const e of this.v4) if ((n & e.v4!.mask) >>> 0 === e.v4!.net) return e.name;
      return OTHER_PEER;
    }
    const hit = this.cache.get(ip);
    if (hit !== undefined) return hit;
    const family = isIP(ip);
    let name = OTHER_PEER;
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      for (const e of this.entries) {
        if (e.list.check(ip, type)) {
          name = e.name;
          break;
        }
      }
    }
    if (this.cache.size >= this.cacheItems) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(ip, name);
    return name;
  }
}

/** The entries of a STATS_PEERS value; throws an Error naming the bad entry. */
function parsePeers(spec: string): PeerEntry[] {
  const out: PeerEntry[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const problem = peerEntryProblem(item);
    if (problem) throw new Error(`STATS_PEERS entry ${JSON.stringify(item)}: ${problem}`);
    const [name, cidr] = item.split('=');
    const [addr, bitsText] = cidr.split('/');
    const family = isIP(addr);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
    const list = new BlockList();
    list.addSubnet(addr, bits, type);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    out.push({ name, list, bits, v4: family === 4 ? { net: (ipv4Number(addr) & mask) >>> 0, mask } : undefined });
  }
  return out;
}

/** Why `name=ip[/bits]` is not a peer entry, or undefined when it is (the config lib checks with this too). */
export function peerEntryProblem(item: string): string | undefined {
  const eq = item.indexOf('=');
  if (eq <= 0) return 'expected name=address or name=address/bits';
  const name = item.slice(0, eq);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return 'a peer name is 1-64 letters, digits, _ . -';
  if (name === OTHER_PEER) return `"${OTHER_PEER}" is the name of the addresses no entry covers`;
  const [addr, bits, extra] = item.slice(eq + 1).split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return 'expected an IPv4 or IPv6 address, optionally /bits';
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)))
    return `prefix length out of range for IPv${family}`;
  return undefined;
}
