import { AF_INET, AF_INET6 } from './hep-packet';
import { parseIpv4, parseIpv6 } from './ip-parse';

/**
 * Parses the two address texts of an encode input into `src` and `dst` (16 bytes each; IPv4 uses the
 * first 4) and returns their family. Throws on text that is not an address, on mixed families and on a
 * declared family that disagrees.
 */
export function parseAddressPair(srcIp: string, dstIp: string, declared: number | undefined, src: Uint8Array, dst: Uint8Array): 2 | 10 {
  const family = parseAddress(srcIp, src, 'srcIp');
  if (parseAddress(dstIp, dst, 'dstIp') !== family) {
    throw new TypeError(`srcIp ${srcIp} and dstIp ${dstIp} are not of the same family`);
  }
  if (declared !== undefined && declared !== family) {
    throw new TypeError(`family ${declared} does not match the addresses (${srcIp} is family ${family})`);
  }
  return family;
}

function parseAddress(text: string, out: Uint8Array, name: string): 2 | 10 {
  if (parseIpv4(text, out, 0)) return AF_INET;
  if (parseIpv6(text, out, 0)) return AF_INET6;
  throw new TypeError(`${name} is not an IPv4 or IPv6 address: ${JSON.stringify(text)}`);
}

/** Copies the first `size` bytes of a parsed address to `out` at `off`. */
export function copyAddress(addr: Uint8Array, size: number, out: Uint8Array, off: number): void {
  for (let i = 0; i < size; i++) out[off + i] = addr[i];
}
