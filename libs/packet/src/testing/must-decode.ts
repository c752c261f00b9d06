import { decodeFrame } from '../decode-frame';
import type { DecodedPacket } from '../decoded-packet';

/** decodeFrame that throws with the failure message: for tests that expect a frame to decode. */
export function mustDecode(linktype: number, frame: Buffer): DecodedPacket {
  const r = decodeFrame(linktype, frame);
  if (!r.ok) throw new Error(`decode failed: ${r.reason}: ${r.message}`);
  return r.packet;
}
