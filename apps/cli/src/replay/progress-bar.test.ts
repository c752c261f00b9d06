import { describe, expect, it } from 'vitest';
import { ProgressBar, renderProgress } from './progress-bar';

describe('renderProgress', () => {
  it('draws the filled share and the percentage', () => {
    const line = renderProgress(0.5, '10 msgs', 80);
    expect(line).toMatch(/^\[#{20}-{20}\] {2}50% {2}10 msgs$/);
  });

  it('clamps the fraction and fits narrow terminals', () => {
    expect(renderProgress(2, 'x', 80)).toContain('100%');
    expect(renderProgress(-1, 'x', 80)).toContain('  0%');
    expect(renderProgress(0.3, 'a long label', 20).length).toBeLessThan(20);
  });
});

describe('ProgressBar', () => {
  it('redraws with a carriage return at most every interval, and clears its line', () => {
    const out: string[] = [];
    let now = 0;
    const bar = new ProgressBar(
      (t) => out.push(t),
      80,
      100,
      () => now,
    );
    bar.update(0.1, 'a');
    now = 50;
    bar.update(0.2, 'b');
    now = 150;
    bar.update(0.3, 'c');
    bar.update(1, 'done', true);
    bar.clear();
    expect(out.length).toBe(4);
    expect(out.slice(0, 3).every((t) => t.startsWith('\r['))).toBe(true);
    expect(out[1]).toContain(' 30%');
    expect(out[3]).toBe('\r\x1b[K');
  });

  it('clear writes nothing when nothing was drawn', () => {
    const out: string[] = [];
    new ProgressBar((t) => out.push(t), 80).clear();
    expect(out).toEqual([]);
  });
});
