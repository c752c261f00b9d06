/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A duration for people: 850ms, 4.2s, 3m05s, 2h07m, 3d04h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const neg = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  if (ms < 1000) return `${neg}${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${neg}${s.toFixed(1)}s`;
  const total = Math.floor(s);
  const two = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${neg}${Math.floor(total / 60)}m${two(total % 60)}s`;
  if (total < 86_400) return `${neg}${Math.floor(total / 3600)}h${two(Math.floor((total % 3600) / 60))}m`;
  return `${neg}${Math.floor(total / 86_400)}d${two(Math.floor((total % 86_400) / 3600))}h`;
}

/** A rate for people: 0, 0.4, 12, 1.2k, 3.4M. */
/** A running total, short: 950, 53.1k, 2.4M. */
export function formatCount(n: number): string {
  if (n < 10_000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

export function formatRate(perSec: number): string {
  if (perSec === 0) return '0';
  if (perSec < 10) return perSec.toFixed(1);
  if (perSec < 1000) return Math.round(perSec).toString();
  if (perSec < 1e6) return `${(perSec / 1000).toFixed(1)}k`;
  return `${(perSec / 1e6).toFixed(1)}M`;
}
