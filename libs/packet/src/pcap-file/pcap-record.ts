/** One captured frame read from a pcap or pcapng file. */
export interface PcapRecord {
  /** pcap link type of the interface that captured the frame (LinkType). */
  linktype: number;
  /** Capture time in microseconds since the epoch (nanosecond files are truncated to microseconds). */
  tsMicros: bigint;
  /** The captured bytes: a view into the file's buffer (copy to keep beyond the buffer's life). */
  frame: Buffer;
  /** Length of the frame on the wire (larger than `frame` when the snap length cut it). */
  originalLength: number;
  /** pcapng interface id; 0 for classic pcap. */
  interfaceId: number;
}

export type CaptureFileFormat = 'pcap' | 'pcapng';

export const CAPTURE_FILE_ERROR_REASONS = [
  /** Neither a pcap nor a pcapng magic number at the start. */
  'bad-magic',
  /** The data ends inside a header, record or block. */
  'truncated',
  /** A record claims more captured bytes than any capture holds. */
  'bad-record',
  /** A pcapng block whose length is impossible or whose trailing length differs, or whose body is too short. */
  'bad-block',
] as const;

export type CaptureFileErrorReason = (typeof CAPTURE_FILE_ERROR_REASONS)[number];

/** How reading ended: cleanly at the end of the data, or at the first unreadable spot. */
export type CaptureFileStatus =
  | { ok: true; format: CaptureFileFormat | undefined; records: number; skipped: number }
  | { ok: false; reason: CaptureFileErrorReason; message: string; format: CaptureFileFormat | undefined; records: number; skipped: number };

/** Largest record or block accepted: above it the length field is taken as corrupt (and a stream would buffer without end). */
export const MAX_RECORD_SIZE = 16 * 1024 * 1024;
