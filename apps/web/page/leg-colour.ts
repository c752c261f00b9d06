/**
 * The colour of leg `i` of a call: six hand-picked ones, then hues spread by the golden angle so no two
 * legs share a colour however many there are (pure: no DOM).
 */
const FIRST = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490'];

export function legColour(i: number): string {
  if (i < FIRST.length) return FIRST[i];
  const hue = Math.round(((i - FIRST.length) * 137.508 + 20) % 360);
  const light = 30 + ((i - FIRST.length) % 3) * 8;
  return `hsl(${hue}, 70%, ${light}%)`;
}
