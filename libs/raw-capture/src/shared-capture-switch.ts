/**
 * The capture flag as one shared integer: the main thread follows Redis and writes it, decoding workers
 * read it for every message without a message round trip.
 */
export class SharedCaptureSwitch {
  private readonly cell: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer);
  }

  set(on: boolean): void {
    Atomics.store(this.cell, 0, on ? 1 : 0);
  }

  isOn(): boolean {
    return Atomics.load(this.cell, 0) === 1;
  }
}
