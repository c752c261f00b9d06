/**
 * A hash of the IP address pair of the packet whose header starts at `off`, the same for both
 * directions (so a request and its reply meet on one worker) and for every fragment of a datagram (only
 * the addresses are read: later fragments have no ports). SIP between two hosts keeps its address pair,
 * so a call's messages on that pair always go to the same worker, in capture order.
 */
export function ipPairHash(frame: Buffer, off: number): number {
  if (off < 0) return 0;
  if (frame[off] >> 4 === 4) return (mix(frame.readUInt32BE(off + 12)) ^ mix(frame.readUInt32BE(off + 16))) >>> 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < 16; i += 4) {
    a = mix(a ^ frame.readUInt32BE(off + 8 + i));
    b = mix(b ^ frame.readUInt32BE(off + 24 + i));
  }
  return (a ^ b) >>> 0;
}

/** A 32-bit integer mix (murmur3's finaliser): nearby addresses spread over the workers. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The worker for a hash: unsigned modulo. */
export function workerFor(hash: number, workers: number): number {
  return (hash >>> 0) % workers;
}
