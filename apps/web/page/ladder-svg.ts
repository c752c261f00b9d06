/// <reference lib="dom" />
import { s } from './dom';
import type { LadderLayout } from './ladder-layout';
import { legColour } from './leg-colour';

/**
 * The ladder as an SVG element: column headers (with the address's name, when `names` has one) and lifelines, then one arrow per message with its label
 * above it and its time offset in the left gutter. Each arrow is a focusable group carrying data-index
 * (the message's position), data-src and data-dst.
 */
export function ladderSvg(layout: LadderLayout, onSelect: (index: number) => void, names: Record<string, string> = {}): SVGSVGElement {
  const svg = s('svg', {
    class: 'ladder',
    width: layout.width,
    height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    role: 'img',
    'aria-label': 'call ladder diagram',
  });
  const defs = s('defs');
  // One colour per leg (legColour: never repeated), one arrowhead marker each.
  for (let i = 0; i < Math.max(1, layout.legs.length); i++) {
    defs.appendChild(
      s(
        'marker',
        {
          id: `head-${i}`,
          class: `head leg-${i}`,
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 9,
          markerHeight: 9,
          orient: 'auto-start-reverse',
          markerUnits: 'userSpaceOnUse',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: legColour(i) }),
      ),
    );
  }
  svg.appendChild(defs);

  for (const c of layout.columns) {
    svg.appendChild(s('line', { class: 'lifeline', x1: c.x, y1: 40, x2: c.x, y2: layout.height - 8 }));
    const box = layout.columnWidth - 22;
    svg.appendChild(s('rect', { class: 'column-box', x: c.x - box / 2, y: 8, width: box, height: 30, rx: 4 }));
    svg.appendChild(s('text', { class: 'column-label', x: c.x, y: 28, 'text-anchor': 'middle', 'data-endpoint': c.endpoint }, c.endpoint));
    // The address's name (STATS_PEERS), under its box.
    const name = names[c.endpoint.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')];
    if (name) svg.appendChild(s('text', { class: 'column-name', x: c.x, y: 54, 'text-anchor': 'middle' }, name));
  }

  for (const a of layout.arrows) {
    const leg = a.leg;
    const colour = legColour(leg);
    const g = s('g', {
      class: `arrow leg-${leg}`,
      'data-colour': colour,
      tabindex: 0,
      role: 'button',
      'data-index': a.index,
      'data-src': a.src,
      'data-dst': a.dst,
      'aria-label': `${a.label} from ${a.src} to ${a.dst}, ${a.offset}`,
    });
    // The whole row is the click target, not only the thin line.
    g.appendChild(s('rect', { class: 'row-hit', x: 0, y: a.y - layout.rowHeight / 2 - 4, width: layout.width, height: layout.rowHeight }));
    g.appendChild(s('text', { class: 'offset', x: 8, y: a.y + 4 }, a.offset));
    if (a.x1 === a.x2) {
      // A message to the same IP:port: a small loop to the right.
      const d = `M${a.x1},${a.y - 6} h40 v12 h-40`;
      g.appendChild(s('path', { class: 'hit', d }));
      g.appendChild(s('path', { class: 'shaft', d, stroke: colour, 'marker-end': `url(#head-${leg})` }));
      g.appendChild(s('text', { class: 'label', x: a.x1 + 46, y: a.y + 4 }, a.label));
    } else {
      g.appendChild(s('line', { class: 'hit', x1: a.x1, y1: a.y, x2: a.x2, y2: a.y }));
      g.appendChild(s('line', { class: 'shaft', x1: a.x1, y1: a.y, x2: a.x2, y2: a.y, stroke: colour, 'marker-end': `url(#head-${leg})` }));
      g.appendChild(s('text', { class: 'label', x: (a.x1 + a.x2) / 2, y: a.y - 6, 'text-anchor': 'middle' }, a.label));
    }
    g.addEventListener('click', () => onSelect(a.index));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect(a.index);
      }
    });
    svg.appendChild(g);
  }
  return svg;
}
