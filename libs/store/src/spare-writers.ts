import { ByteWriter } from './byte-writer';

/**
 * Writers whose buffers the next batches reuse, one per insert lane in use: a fresh 20 MB buffer per batch
 * costs a page fault per 4 KB, and growing it copies what was written (together a quarter of a MariaDB
 * writer's CPU when each batch had its own buffer).
 */
export class SpareWriters {
  private readonly spare: ByteWriter[] = [];

  constructor(
    private readonly keep = 4,
    /** A buffer grown by a batch of unusually large messages is let go rather than kept. */
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  take(): ByteWriter {
    const w = this.spare.pop() ?? new ByteWriter(); // sized by the encoder's reserve
    w.reset();
    return w;
  }

  /** Only after the server has answered: after an error the socket may still be sending from the buffer. */
  give(w: ByteWriter): void {
    if (this.spare.length < this.keep && w.capacity <= this.maxBytes) this.spare.push(w);
  }
}

/** The process's spare writers, shared by both dialects' row encoders. */
export const spareWriters = new SpareWriters();
