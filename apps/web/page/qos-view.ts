/// <reference lib="dom" />
import type { CallReport } from '@sipcap/search';
import { h, s } from './dom';
import { endpoint, offsetText, shortDate } from './format';
import { DEFAULT_CLOCK_HZ, qosSeries, type QosPoint, type QosStream } from './qos-series';

interface Metric {
  key: 'jitterMs' | 'lossPercent' | 'cumulativeLost' | 'rttMs' | 'mos';
  title: string;
  unit: string;
  /** Fixed scale (MOS), else 0 .. the largest value. */
  range?: [number, number];
  digits: number;
}

const METRICS: Metric[] = [
  { key: 'jitterMs', title: 'Jitter', unit: 'ms', digits: 2 },
  { key: 'lossPercent', title: 'Fraction lost', unit: '%', digits: 2 },
  { key: 'cumulativeLost', title: 'Cumulative lost', unit: 'packets', digits: 0 },
  { key: 'rttMs', title: 'Round trip', unit: 'ms', digits: 1 },
  { key: 'mos', title: 'MOS (estimated)', unit: '', range: [1, 4.5], digits: 2 },
];

const W = 340;
const H = 150;
const LEFT = 48;
const RIGHT = 10;
const TOP = 24;
const BOTTOM = 24;

const fmt = (v: number, digits: number) => v.toFixed(digits);

/**
 * One metric of a stream over time as an SVG line chart: x is the capture time of the reports (the
 * call's first message at 0), y 0..max (MOS 1..4.5); one circle per point (data-value holds the value,
 * a title tells it) and a polyline through them. Points without a value (no round trip) are left out.
 */
function chart(stream: QosStream, m: Metric, t0: bigint): SVGSVGElement {
  const pts = stream.points.filter((p) => p[m.key] !== undefined) as (QosPoint & Record<Metric['key'], number>)[];
  const svg = s('svg', {
    class: 'qos-chart',
    'data-metric': m.key,
    'data-points': pts.length,
    width: W,
    height: H,
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `${m.title} of SSRC ${stream.ssrc}`,
  });
  svg.appendChild(s('text', { class: 'chart-title', x: LEFT, y: 14 }, `${m.title}${m.unit ? ` (${m.unit})` : ''}`));
  const times = stream.points.map((p) => BigInt(p.micro_ts) - t0);
  const tMin = times.length ? times.reduce((a, b) => (b < a ? b : a)) : 0n;
  const tMax = times.length ? times.reduce((a, b) => (b > a ? b : a)) : 1n;
  const span = Number(tMax - tMin) || 1;
  const [yMin, yMaxRaw] = m.range ?? [0, Math.max(0, ...pts.map((p) => p[m.key]))];
  const yMax = yMaxRaw > yMin ? yMaxRaw : yMin + 1;
  const x = (micros: bigint) => LEFT + (Number(micros - t0 - tMin) / span) * (W - LEFT - RIGHT);
  const y = (v: number) => TOP + (1 - (v - yMin) / (yMax - yMin)) * (H - TOP - BOTTOM);
  svg.appendChild(s('line', { class: 'axis', x1: LEFT, y1: TOP, x2: LEFT, y2: H - BOTTOM }));
  svg.appendChild(s('line', { class: 'axis', x1: LEFT, y1: H - BOTTOM, x2: W - RIGHT, y2: H - BOTTOM }));
  svg.appendChild(s('text', { class: 'tick', x: LEFT - 4, y: TOP + 4, 'text-anchor': 'end' }, fmt(yMax, m.digits)));
  svg.appendChild(s('text', { class: 'tick', x: LEFT - 4, y: H - BOTTOM, 'text-anchor': 'end' }, fmt(yMin, m.digits)));
  svg.appendChild(s('text', { class: 'tick', x: LEFT, y: H - 6 }, offsetText(t0 + tMin, t0)));
  svg.appendChild(s('text', { class: 'tick', x: W - RIGHT, y: H - 6, 'text-anchor': 'end' }, offsetText(t0 + tMax, t0)));
  if (pts.length === 0) {
    svg.appendChild(
      s(
        'text',
        { class: 'no-data', x: (LEFT + W) / 2, y: H / 2, 'text-anchor': 'middle' },
        m.key === 'rttMs' ? 'not known (no LSR naming a stored SR)' : 'no data',
      ),
    );
    return svg;
  }
  const coords = pts.map((p) => [x(BigInt(p.micro_ts)), y(p[m.key])] as const);
  svg.appendChild(s('polyline', { class: 'series', points: coords.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ') }));
  pts.forEach((p, i) => {
    svg.appendChild(
      s(
        'circle',
        { class: 'point', cx: coords[i][0].toFixed(1), cy: coords[i][1].toFixed(1), r: 3, 'data-value': p[m.key] },
        s('title', {}, `${offsetText(BigInt(p.micro_ts), t0)}: ${fmt(p[m.key], m.digits)}${m.unit ? ` ${m.unit}` : ''}`),
      ),
    );
  });
  return svg;
}

function pointTable(stream: QosStream, t0: bigint): HTMLTableElement {
  const body = h('tbody');
  for (const p of stream.points) {
    body.appendChild(
      h(
        'tr',
        { class: 'qos-point' },
        h('td', { class: 'nowrap' }, offsetText(BigInt(p.micro_ts), t0)),
        h('td', { 'data-field': 'jitter' }, `${p.jitter}`),
        h('td', { 'data-field': 'jitterMs' }, fmt(p.jitterMs, 2)),
        h('td', { 'data-field': 'fractionLost' }, `${p.fractionLost}/256`),
        h('td', { 'data-field': 'lossPercent' }, fmt(p.lossPercent, 2)),
        h('td', { 'data-field': 'cumulativeLost' }, `${p.cumulativeLost}`),
        h('td', { 'data-field': 'rttMs' }, p.rttMs === undefined ? '–' : fmt(p.rttMs, 1)),
        h('td', { 'data-field': 'r' }, fmt(p.r, 1)),
        h('td', { 'data-field': 'mos' }, fmt(p.mos, 2)),
      ),
    );
  }
  return h(
    'table',
    { class: 'results qos-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Time', 'Jitter (units)', 'Jitter (ms)', 'Fraction lost', 'Lost (%)', 'Cumulative lost', 'RTT (ms)', 'R', 'MOS'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    body,
  );
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * The QoS tab: one section per media stream (reported SSRC) with its addresses, five charts and the
 * figures of each report block; then the QoS reports (report_capture) as stored.
 */
export function qosView(rtcp: readonly CallReport[], reports: readonly CallReport[], firstMicroTs: bigint): HTMLElement {
  const series = qosSeries(rtcp);
  const box = h('div', { class: 'qos' });
  box.appendChild(
    h(
      'p',
      { class: 'muted' },
      `${rtcp.length} RTCP report${rtcp.length === 1 ? '' : 's'}, ${series.streams.length} media stream${series.streams.length === 1 ? '' : 's'}`,
      series.unreadable ? `, ${series.unreadable} not readable as RTCP JSON` : '',
      `. Jitter at ${DEFAULT_CLOCK_HZ} Hz; MOS estimated by the simplified E-model from jitter, loss and (where known) the round trip.`,
    ),
  );
  for (const stream of series.streams) {
    const charts = h('div', { class: 'qos-charts' });
    for (const m of METRICS) charts.appendChild(chart(stream, m, firstMicroTs));
    box.appendChild(
      h(
        'section',
        { class: 'qos-stream', 'data-ssrc': stream.ssrc },
        h('h3', {}, `SSRC ${hex(stream.ssrc)} (${stream.ssrc})`),
        h(
          'p',
          { class: 'muted stream-addresses' },
          'reported by SSRC ',
          hex(stream.reporterSsrc),
          ': RTCP from ',
          h('code', { 'data-role': 'from' }, stream.reportFrom),
          ' to ',
          h('code', { 'data-role': 'to' }, stream.reportTo),
        ),
        charts,
        pointTable(stream, firstMicroTs),
      ),
    );
  }
  if (reports.length) {
    const list = h('ol', { class: 'qos-reports' });
    for (const r of reports) {
      let text = r.msg;
      try {
        text = JSON.stringify(JSON.parse(r.msg), null, 2);
      } catch {
        // kept as stored
      }
      list.appendChild(
        h(
          'li',
          { class: 'qos-report' },
          h(
            'div',
            { class: 'muted' },
            `${shortDate(r.date)} UTC · ${endpoint(r.source_ip, r.source_port)} → ${endpoint(r.destination_ip, r.destination_port)} · type ${r.type} · ${r.table}`,
          ),
          h('pre', {}, text),
        ),
      );
    }
    box.appendChild(h('h3', {}, `QoS reports (${reports.length})`));
    box.appendChild(list);
  }
  if (!rtcp.length && !reports.length) box.appendChild(h('p', {}, 'No RTCP or QoS report is stored with this call.'));
  return box;
}

/** The logs tab: the call's log lines in time order. */
export function logsView(logs: readonly CallReport[], firstMicroTs: bigint): HTMLElement {
  if (!logs.length) return h('p', {}, 'No log line is stored with this call.');
  const list = h('ol', { class: 'logs' });
  for (const l of logs) {
    list.appendChild(
      h(
        'li',
        { class: 'log-line', 'data-id': l.id },
        h('span', { class: 'log-time nowrap' }, `${shortDate(l.date)} (${offsetText(BigInt(l.micro_ts), firstMicroTs)})`),
        ' ',
        h('span', { class: 'muted' }, `${endpoint(l.source_ip, l.source_port)}${l.node ? ` ${l.node}` : ''}`),
        ' ',
        h('span', { class: 'log-text' }, l.msg),
      ),
    );
  }
  return list;
}
