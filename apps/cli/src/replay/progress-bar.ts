/** The text of one progress line: `[#####-----]  45%  label`, fitting in `columns`. */
export function renderProgress(fraction: number, label: string, columns: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const percent = `${Math.floor(f * 100)}%`.padStart(4);
  const room = Math.max(0, columns - 1 - label.length - percent.length - 5);
  const width = Math.min(40, room);
  if (width < 10) return `${percent}  ${label}`.slice(0, Math.max(0, columns - 1));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${label}`;
}

/**
 * A one-line progress bar redrawn with a carriage return, at most every `everyMs`. Only for a terminal:
 * the caller creates it when stderr is a TTY, so logs and pipes never get control characters.
 */
export class ProgressBar {
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: number,
    private readonly everyMs = 100,
    private readonly clock: () => number = Date.now,
  ) {}

  update(fraction: number, label: string, force = false): void {
    const now = this.clock();
    if (!force && now - this.lastDraw < this.everyMs) return;
    this.lastDraw = now;
    this.write(`\r${renderProgress(fraction, label, this.columns)}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar so the summary starts on a clean line. */
  clear(): void {
    if (this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }
}
