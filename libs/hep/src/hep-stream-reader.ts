import { EEP3_MAGIC, HEP3_HEADER_SIZE, HEP3_MAGIC } from './hep3-chunk-types';

export type HepStreamErrorReason = 'bad_magic' | 'bad_frame_length' | 'memory_budget';

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
 * Where the bytes of frames being assembled come from, shared by all connections of a server: `reserve`
 * says whether `bytes` more may be held (and takes them), `release` gives them back.
 */
export interface HepStreamBudget {
  reserve(bytes: number): boolean;
  release(bytes: number): void;
}

/**
 * Splits a HEP-over-TCP byte stream into HEP3 frames: frames split across reads, several frames per read.
 * Complete frames inside one chunk are handed out as subarrays (no copy). For a frame split across reads,
 * the header is gathered in a 6-byte buffer; once it gives the frame's length, one buffer of exactly that
 * length is allocated and every later read is copied into it. No read is kept: a frame trickled a byte at a
 * time holds its own length (at most 65535 bytes) and nothing more, whatever the reads' backing stores.
 * After an error every later push is ignored.
 */
export class HepStreamReader {
  /** The header of the frame being assembled, while it is incomplete. */
  private readonly header = Buffer.alloc(HEP3_HEADER_SIZE);
  private headerFill = 0;
  /** The frame being assembled, once its length is known; its first `frameFill` bytes are filled. */
  private frame: Buffer | undefined;
  private frameFill = 0;
  private failed = false;

  constructor(
    private readonly handlers: HepStreamHandlers,
    private readonly budget?: HepStreamBudget,
  ) {}

  /** Bytes received of an incomplete frame (non-zero when a connection ends mid-frame). */
  get bufferedBytes(): number {
    return this.frame !== undefined ? this.frameFill : this.headerFill;
  }

  /** Bytes allocated for the incomplete frame (its whole length once known), besides the 6-byte header buffer. */
  get heldBytes(): number {
    return this.frame?.length ?? 0;
  }

  /** True once the stream has been found unrecoverable. */
  get hasFailed(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    let off = 0;
    if (this.headerFill > 0 && this.frame === undefined) {
      const take = Math.min(HEP3_HEADER_SIZE - this.headerFill, chunk.length);
      chunk.copy(this.header, this.headerFill, 0, take);
      this.headerFill += take;
      off = take;
      if (this.headerFill < HEP3_HEADER_SIZE) return;
      const length = this.checkHeader(this.header, 0);
      if (length < 0) return;
      if (!this.startFrame(length)) return;
      this.header.copy(this.frame!, 0);
      this.frameFill = HEP3_HEADER_SIZE;
      this.headerFill = 0;
    }
    if (this.frame !== undefined) {
      const frame = this.frame;
      const take = Math.min(frame.length - this.frameFill, chunk.length - off);
      chunk.copy(frame, this.frameFill, off, off + take);
      this.frameFill += take;
      off += take;
      if (this.frameFill < frame.length) return;
      this.endFrame();
      this.handlers.onFrame(frame);
      if (this.failed) return;
    }
    if (off < chunk.length) this.scan(chunk, off);
  }

  /** Emits every complete frame of `buf` from `off` as a subarray and copies the incomplete tail. */
  private scan(buf: Buffer, off: number): void {
    while (buf.length - off >= HEP3_HEADER_SIZE) {
      const length = this.checkHeader(buf, off);
      if (length < 0) return;
      if (buf.length - off < length) {
        if (!this.startFrame(length)) return;
        this.frameFill = buf.copy(this.frame!, 0, off);
        return;
      }
      this.handlers.onFrame(buf.subarray(off, off + length));
      off += length;
      if (this.failed) return; // the handler may have failed the stream through fail()
    }
    if (off < buf.length) this.headerFill = buf.copy(this.header, 0, off);
  }

  /** Allocates the frame buffer within the budget; false after failing the stream when it does not fit. */
  private startFrame(length: number): boolean {
    if (this.budget !== undefined && !this.budget.reserve(length)) {
      this.fail('memory_budget', `no room for a ${length}-byte frame within the server's pending-bytes budget`);
      return false;
    }
    this.frame = Buffer.allocUnsafe(length);
    this.frameFill = 0;
    return true;
  }

  private endFrame(): void {
    if (this.frame !== undefined) this.budget?.release(this.frame.length);
    this.frame = undefined;
    this.frameFill = 0;
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

  /** Drops what is buffered (its budget given back): the connection is gone. Later pushes are ignored. */
  close(): void {
    this.failed = true;
    this.endFrame();
    this.headerFill = 0;
  }

  /** Marks the stream unrecoverable, drops what is buffered and tells the owner. */
  fail(reason: HepStreamErrorReason, message: string): void {
    if (this.failed) return;
    this.close();
    this.handlers.onError(reason, message);
  }
}
