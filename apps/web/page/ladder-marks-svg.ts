/// <reference lib="dom" />
import { s } from './dom';
import type { LadderLayout } from './ladder-layout';
import type { LadderMark } from './qos-series';

/**
 * Marks where reports arrived: a dashed line across the ladder between the message rows they fall
 * between, labelled with what arrived there (`2 RTCP · 1 log`).
 */
export function addLadderMarks(svg: SVGSVGElement, layout: LadderLayout, marks: readonly LadderMark[]): void {
  for (const m of marks) {
    const y = m.after < 0 ? (layout.arrows[0]?.y ?? layout.height) - layout.rowHeight / 2 : layout.arrows[m.after].y + layout.rowHeight / 2;
    const parts = [
      m.rtcp ? `${m.rtcp} RTCP` : '',
      m.report ? `${m.report} QoS` : '',
      m.logs ? `${m.logs} log${m.logs === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    svg.appendChild(
      s(
        'g',
        { class: 'report-mark', 'data-after': m.after, 'data-rtcp': m.rtcp, 'data-report': m.report, 'data-logs': m.logs },
        s('line', { x1: 88, y1: y, x2: layout.width - 4, y2: y }),
        s('text', { x: layout.width - 6, y: y - 2, 'text-anchor': 'end' }, parts.join(' · ')),
      ),
    );
  }
}
