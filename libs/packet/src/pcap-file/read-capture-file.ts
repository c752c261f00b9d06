import { CaptureFileReader } from './capture-file-reader';
import type { CaptureFileStatus, PcapRecord } from './pcap-record';

/**
 * Records of a whole pcap/pcapng file held in memory (frames are views into `file`). The generator's
 * return value (`done: true`) is the final status; a `for...of` loop simply stops at a bad spot.
 */
export function* readCaptureFile(file: Buffer): Generator<PcapRecord, CaptureFileStatus, void> {
  const reader = new CaptureFileReader();
  reader.push(file);
  for (let r = reader.next(); r !== undefined; r = reader.next()) yield r;
  return reader.end();
}

/**
 * Records of a pcap/pcapng byte stream (e.g. `fs.createReadStream(path)`), read as the chunks arrive so
 * that a large file never sits in memory whole and the event loop keeps turning between chunks.
 */
export async function* readCaptureStream(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<PcapRecord, CaptureFileStatus, void> {
  const reader = new CaptureFileReader();
  for await (const chunk of source) {
    reader.push(chunk);
    for (let r = reader.next(); r !== undefined; r = reader.next()) yield r;
    if (reader.failure !== undefined) break;
  }
  return reader.end();
}
