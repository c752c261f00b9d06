import { EEP3_MAGIC, HEP3_HEADER_SIZE, HEP3_MAGIC } from './hep3-chunk-types';

export type HepStreamErrorReason = 'bad_magic' | 'bad_frame_length';

export interface HepStreamHandlers {
  /**
   * A complete HEP3 frame (exactly its declared length). Often a subarray of a pushed chunk: do not reuse those.
   * It should not throw: an exception propagates out of push() and the rest of that chunk is lost.
   */
  onFrame(frame: Buffer): void;
  /** The stream is out of sync and cannot recover: the owner should count it and close the connection. */
  onError(reason: HepStreamErrorReason, message: string): void;
}

/**
 * Splits a HEP-over-TCP byte stream into HEP3 frames: frames split across reads, several frames per read.
 * Complete frames inside one chunk are handed out as subarrays (no copy); a frame split across chunks is
 * copied once, when its last byte arrives. HEP3 frames are at most 65535 bytes, so at most that much is buffered.
 * After an error every later push is ignored.
 */
export class HepStreamReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the frame being assembled, 0 while its header is incomplete. */
  private frameLength = 0;
  private failed = false;

  constructor(private readonly handlers: HepStreamHandlers) {}

  /** Bytes held for an incomplete frame (non-zero when a connection ends mid-frame). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True once the stream has been found unrecoverable. */
  get hasFailed(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    if (this.pendingBytes === 0) {
      this.scan(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.frameLength === 0) {
      if (this.pendingBytes < HEP3_HEADER_SIZE) return;
      const header = this.peekHeader();
      const length = this.checkHeader(header, 0);
      if (length < 0) return;
      this.frameLength = length;
    }
    if (this.pendingBytes < this.frameLength) return;

    // The frame is complete: copy its pieces once, then go on with the rest of the last chunk.
    const frame = Buffer.allocUnsafe(this.frameLength);
    let filled = 0;
    let rest: Buffer | undefined;
    for (const piece of this.pending) {
      const take = Math.min(piece.length, this.frameLength - filled);
      piece.copy(frame, filled, 0, take);
      filled += take;
      if (take < piece.length) rest = piece.subarray(take); // only the last piece can have a rest
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.frameLength = 0;
    this.handlers.onFrame(frame);
    if (rest !== undefined && !this.failed) this.scan(rest);
  }

  /** Emits every complete frame of `buf` as a subarray and keeps the incomplete tail. */
  private scan(buf: Buffer): void {
    let off = 0;
    while (buf.length - off >= HEP3_HEADER_SIZE) {
      const length = this.checkHeader(buf, off);
      if (length < 0) return;
      if (buf.length - off < length) {
        this.frameLength = length;
        break;
      }
      this.handlers.onFrame(buf.subarray(off, off + length));
      off += length;
      if (this.failed) return; // the handler may have failed the stream through fail()
    }
    if (off < buf.length) {
      this.pending.push(off === 0 ? buf : buf.subarray(off));
      this.pendingBytes = buf.length - off;
    }
  }

  /** The first 6 pending bytes, gathered from however many pieces hold them. */
  private peekHeader(): Buffer {
    const first = this.pending[0];
    if (first.length >= HEP3_HEADER_SIZE) return first;
    const header = Buffer.allocUnsafe(HEP3_HEADER_SIZE);
    let filled = 0;
    for (const piece of this.pending) {
      filled += piece.copy(header, filled, 0, Math.min(piece.length, HEP3_HEADER_SIZE - filled));
      if (filled === HEP3_HEADER_SIZE) break;
    }
    return header;
  }

  /** The frame length of the header at `off`, or -1 after reporting an unrecoverable stream. */
  private checkHeader(buf: Buffer, off: number): number {
    const magic = buf[off] * 0x1000000 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
    if (magic !== HEP3_MAGIC && magic !== EEP3_MAGIC) {
      this.fail('bad_magic', `stream frame does not start with HEP3 or EEP3 (0x${magic.toString(16).padStart(8, '0')})`);
      return -1;
    }
    const length = (buf[off + 4] << 8) | buf[off + 5];
    if (length < HEP3_HEADER_SIZE) {
      this.fail('bad_frame_length', `stream frame length ${length} is below 6`);
      return -1;
    }
    return length;
  }

  /** Marks the stream unrecoverable, drops what is buffered and tells the owner. */
  fail(reason: HepStreamErrorReason, message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.frameLength = 0;
    this.handlers.onError(reason, message);
  }
}
