import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { CaptureFileReader, type CaptureFileStatus } from '@sipcap/packet';
import { CaptureStartError } from './capture-start-error';
import type { FrameHandler } from './live-capture';

export type ReplayPace = 'realtime' | 'fast';

export interface ReplayOptions {
  path: string;
  /** realtime: frames are handed on at the pace of their timestamps; fast: as fast as they are taken. */
  pace: ReplayPace;
  onFrame: FrameHandler;
  /** Back-pressure: a promise when the consumers are full (wait for it), undefined when there is room. */
  room?: () => Promise<void> | undefined;
  log: Logger;
  /** How often progress is logged (default 5000 ms). */
  progressEveryMs?: number;
  /** Stops the replay early (SIGTERM). */
  signal?: AbortSignal;
}

export interface ReplaySummary {
  records: number;
  bytes: number;
  seconds: number;
  status: CaptureFileStatus;
  aborted: boolean;
}

/** Frames handed on between two turns of the event loop in fast mode (timers and Kafka keep running). */
const YIELD_EVERY = 2000;

/**
 * Checks before start that the file exists, is readable and starts like a pcap or pcapng file, so a
 * wrong PCAP_FILE is a start-up error rather than an empty load.
 */
export async function checkCaptureFile(path: string): Promise<void> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      head = Buffer.alloc(64);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new CaptureStartError('file-unreadable', `cannot read PCAP_FILE ${path}: ${(e as Error).message}`);
  }
  const reader = new CaptureFileReader();
  reader.push(head);
  reader.next();
  if (reader.failure?.reason === 'bad-magic' || head.length < 4) {
    throw new CaptureStartError('bad-file', `PCAP_FILE ${path} is not a pcap or pcapng file (${reader.failure?.message ?? 'too short'})`);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Reads a pcap or pcapng file in chunks (never whole in memory) with libs/packet's reader and hands each
 * frame on, paced by its timestamps or as fast as the consumers take them, yielding to the event loop
 * regularly and logging progress. Resolves when the file is done (or the signal aborted it).
 */
export async function replayCaptureFile(o: ReplayOptions): Promise<ReplaySummary> {
  const size = (await stat(o.path)).size;
  const stream = createReadStream(o.path, { highWaterMark: 1024 * 1024 });
  let bytes = 0;
  stream.on('data', (chunk) => (bytes += chunk.length));
  const started = Date.now();
  const everyMs = o.progressEveryMs ?? 5000;
  let nextProgress = started + everyMs;
  let records = 0;
  let firstTs: number | undefined;
  let sinceYield = 0;
  let aborted = false;
  o.log.info({ file: o.path, bytes: size, pace: o.pace }, 'reading capture file');

  // Chunks come from the stream; records of a chunk are walked synchronously, and the loop only awaits
  // when pacing, back-pressure or the periodic yield ask for it (an await per record would cost more).
  const reader = new CaptureFileReader();
  read: for await (const chunk of stream as AsyncIterable<Buffer>) {
    reader.push(chunk);
    for (let r = reader.next(); r !== undefined; r = reader.next()) {
      if (o.signal?.aborted) {
        aborted = true;
        break read;
      }
      const ts = Number(r.tsMicros);
      if (o.pace === 'realtime') {
        firstTs ??= ts;
        const dueMs = started + (ts - firstTs) / 1000 - Date.now();
        if (dueMs >= 1) await sleep(dueMs, o.signal);
      } else if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await immediate();
      }
      const wait = o.room?.();
      if (wait !== undefined) await wait;
      o.onFrame(r.linktype, r.frame, ts);
      records++;
      const now = Date.now();
      if (now >= nextProgress) {
        nextProgress = now + everyMs;
        o.log.info(
          {
            file: o.path,
            records,
            percent: size > 0 ? Math.round((bytes / size) * 100) : 100,
            perSecond: Math.round(records / ((now - started) / 1000)),
          },
          'capture file progress',
        );
      }
    }
    if (reader.failure !== undefined) break;
  }
  stream.destroy();
  const status: CaptureFileStatus = aborted ? { ok: true, format: undefined, records, skipped: 0 } : reader.end();
  const seconds = (Date.now() - started) / 1000;
  if (!status.ok)
    o.log.warn(
      { file: o.path, reason: status.reason, detail: status.message, records },
      'capture file ends with unreadable data; what came before it was read',
    );
  return { records, bytes, seconds, status, aborted };
}
