import { parseIp } from '../ip-text';

/** Address text to its family and bytes; throws on bad text (test input is under the test's control). */
export function addressBytes(text: string): { family: 2 | 10; bytes: Buffer } {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`not an IP address: ${text}`);
  return parsed;
}

/** "02:00:00:00:00:01" to 6 bytes. */
export function macBytes(text: string): Buffer {
  const bytes = Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
  if (bytes.length !== 6) throw new Error(`not a MAC address: ${text}`);
  return bytes;
}
