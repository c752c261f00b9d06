/**
 * Where the main thread puts captured frames: decoded in the same thread (InlinePipeline, one worker)
 * or spread over worker threads by flow (WorkerPipeline).
 */
export interface FramePipeline {
  /** True when push() uses the flow hash (computing it is wasted work otherwise). */
  readonly wantsHash: boolean;
  /** One frame; copied or consumed before returning (the capture buffer is reused). */
  push(linktype: number, frame: Buffer, tsMicros: number, hash: number): void;
  /** Back-pressure for file replay: a promise while the decoders are full, else undefined. */
  room(): Promise<void> | undefined;
  /** Resolves once every frame pushed so far is decoded and its records handed to the producer. */
  drain(): Promise<void>;
  close(): Promise<void>;
}
