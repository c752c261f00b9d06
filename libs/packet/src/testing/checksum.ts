/** RFC 1071 internet checksum of the concatenated parts (each part padded to an even length only at the end). */
export function internetChecksum(...parts: Buffer[]): number {
  const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i + 1 < all.length; i += 2) sum += (all[i] << 8) | all[i + 1];
  if (all.length % 2 === 1) sum += all[all.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
