import { decodeHepLegacy } from './decode-hep-legacy';
import { decodeHep3 } from './decode-hep3';
import { EEP3_MAGIC, HEP3_MAGIC } from './hep3-chunk-types';
import { hepError, type HepDecodeOptions, type HepResult } from './hep-packet';

const H = 0x48;
const E = 0x45;
const MAGIC_TAIL = [0x45, 0x50, 0x33]; // "EP3", shared by HEP3 and EEP3

/**
 * Decodes one HEP packet (a UDP datagram or a TCP frame) of any version.
 * Never throws and never reads outside `buf`: bad input gives `{ ok: false, reason, message }`.
 * The payload is a subarray of `buf` unless it was compressed: copy it if `buf` is reused.
 */
export function decodeHep(buf: Buffer, options?: HepDecodeOptions): HepResult {
  const n = buf.length;
  if (n === 0) return hepError('empty', 'empty packet');
  const b0 = buf[0];
  if (b0 === 1 || b0 === 2) return decodeHepLegacy(buf);
  if (n >= 4) {
    const magic = b0 * 0x1000000 + ((buf[1] << 16) | (buf[2] << 8) | buf[3]);
    if (magic === HEP3_MAGIC || magic === EEP3_MAGIC) return decodeHep3(buf, options);
  } else if (b0 === H || b0 === E) {
    // Shorter than the magic: a cut-off HEP3 header if what is there matches.
    let prefix = true;
    for (let i = 1; i < n; i++) if (buf[i] !== MAGIC_TAIL[i - 1]) prefix = false;
    if (prefix) return hepError('truncated_header', `HEP3 header needs 6 bytes, got ${n}`);
  }
  return hepError('unknown_version', `not a HEP packet (first byte 0x${b0.toString(16).padStart(2, '0')})`);
}
