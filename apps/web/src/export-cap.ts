import { Readable } from 'node:stream';

export interface CapResult {
  /** The pieces were cut: at least one was left out. */
  cut: boolean;
  /** Bytes sent. */
  bytes: number;
}

/**
 * The pieces of an export as long as they fit in `maxBytes` together: the first piece that would pass
 * the cap ends it, so what is sent is always whole pieces (whole pcap records, whole messages), and
 * `tail(max)` may add a last piece saying so, counted inside the cap. Pieces are made only as they are
 * read (one ahead, to know whether the tail needs room): nothing further is built. `done` is called once
 * with the outcome.
 */
export function* capChunks(
  chunks: Iterable<Buffer>,
  maxBytes: number,
  o: { tail?: (maxBytes: number) => Buffer; done?: (r: CapResult) => void } = {},
): Generator<Buffer> {
  const tail = o.tail?.(maxBytes);
  // A piece followed by another must leave room for the tail; the last piece may use all of the cap.
  const room = maxBytes - (tail?.length ?? 0);
  let bytes = 0;
  let cut = false;
  let pending: Buffer | undefined;
  for (const c of chunks) {
    if (pending !== undefined) {
      if (bytes + pending.length > room) {
        cut = true;
        break;
      }
      bytes += pending.length;
      yield pending;
    }
    pending = c;
  }
  if (!cut && pending !== undefined) {
    if (bytes + pending.length <= maxBytes) {
      bytes += pending.length;
      yield pending;
    } else cut = true;
  }
  if (cut && tail && bytes + tail.length <= maxBytes) {
    bytes += tail.length;
    yield tail;
  }
  o.done?.({ cut, bytes });
}

/** A byte stream of the pieces, pulled as the client reads (backpressure: one piece at a time). */
export function chunkStream(chunks: Iterable<Buffer>): Readable {
  return Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 });
}
