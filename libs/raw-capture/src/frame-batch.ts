/**
 * Frames packed back to back into one ArrayBuffer, so the main thread hands a worker thousands of frames
 * with one transferred postMessage instead of one message (and one structured clone) per frame.
 * Each frame: u32 length, u32 link type, f64 capture time in microseconds (exact until the year 2255),
 * then the bytes.
 */
export const FRAME_HEADER_SIZE = 16;

export interface FrameBatch {
  buffer: ArrayBuffer;
  used: number;
  count: number;
}

export class FrameBatchWriter {
  private buf: Buffer;
  private used = 0;
  private count = 0;
  private readonly spare: ArrayBuffer[] = [];

  /** `capacity` must hold the largest frame plus its header (the snap length + 16). */
  constructor(private readonly capacity: number) {
    this.buf = Buffer.from(new ArrayBuffer(capacity));
  }

  get frames(): number {
    return this.count;
  }

  get bytes(): number {
    return this.used;
  }

  /** Appends a copy of the frame; false when it does not fit (take() the batch, then append again). */
  append(linktype: number, frame: Buffer, tsMicros: number): boolean {
    const need = FRAME_HEADER_SIZE + frame.length;
    if (this.used + need > this.buf.length) return false;
    const b = this.buf;
    const o = this.used;
    b.writeUInt32LE(frame.length, o);
    b.writeUInt32LE(linktype, o + 4);
    b.writeDoubleLE(tsMicros, o + 8);
    frame.copy(b, o + FRAME_HEADER_SIZE);
    this.used = o + need;
    this.count++;
    return true;
  }

  /** The filled batch (its buffer changes hands); the writer continues in a spare or fresh buffer. */
  take(): FrameBatch | undefined {
    if (this.count === 0) return undefined;
    const batch = { buffer: this.buf.buffer as ArrayBuffer, used: this.used, count: this.count };
    const next = this.spare.pop() ?? new ArrayBuffer(this.capacity);
    this.buf = Buffer.from(next);
    this.used = 0;
    this.count = 0;
    return batch;
  }

  /** Gives back a buffer a batch travelled in (the worker returns it), to be reused instead of allocating. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.capacity && this.spare.length < 8) this.spare.push(buffer);
  }
}

/**
 * Calls `fn` for each frame of a batch from byte offset `from`; frames are views into the batch's buffer.
 * With a `deadline` (performance.now() milliseconds) it stops once that has passed, looking at the clock
 * every 32 frames. Returns the offset of the first frame not handed on (`batch.used` when all were).
 */
export function forEachFrame(
  batch: FrameBatch,
  fn: (linktype: number, frame: Buffer, tsMicros: number) => void,
  from = 0,
  deadline = Infinity,
): number {
  const b = Buffer.from(batch.buffer, 0, batch.used);
  let o = from;
  for (let n = 1; o + FRAME_HEADER_SIZE <= b.length; n++) {
    const length = b.readUInt32LE(o);
    const linktype = b.readUInt32LE(o + 4);
    const ts = b.readDoubleLE(o + 8);
    const start = o + FRAME_HEADER_SIZE;
    if (start + length > b.length) return b.length;
    fn(linktype, b.subarray(start, start + length), ts);
    o = start + length;
    if ((n & 31) === 0 && performance.now() > deadline) return o;
  }
  return b.length;
}
