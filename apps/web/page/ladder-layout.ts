import { endpoint, messageLabel, offsetText } from './format';

/** What the ladder needs of a message. */
export interface LadderInput {
  micro_ts: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  method: string;
  reply_reason: string;
  type: number;
  callid: string;
}

export interface LadderColumn {
  endpoint: string;
  x: number;
}

export interface LadderArrow {
  /** Position of the message in the input. */
  index: number;
  src: string;
  dst: string;
  fromCol: number;
  toCol: number;
  x1: number;
  x2: number;
  y: number;
  label: string;
  offset: string;
  /** Leg number: Call-IDs in order of first appearance. */
  leg: number;
}

export interface LadderLayout {
  columns: LadderColumn[];
  arrows: LadderArrow[];
  legs: string[];
  /** Width of each column (wider than the geometry's when an address needs it). */
  columnWidth: number;
  rowHeight: number;
  width: number;
  height: number;
}

export interface LadderGeometry {
  /** Room on the left for the time offsets. */
  gutter: number;
  columnWidth: number;
  /** Height of the column headers. */
  top: number;
  rowHeight: number;
}

export const DEFAULT_GEOMETRY: LadderGeometry = { gutter: 96, columnWidth: 230, top: 56, rowHeight: 34 };

/**
 * A sequence diagram of the messages in the order given (time order): one column per IP:port in the
 * order they first appear, one arrow per message from its source column to its destination column.
 */
export function layoutLadder(messages: readonly LadderInput[], g: LadderGeometry = DEFAULT_GEOMETRY): LadderLayout {
  const columnOf = new Map<string, number>();
  const legOf = new Map<string, number>();
  const col = (ep: string) => {
    let c = columnOf.get(ep);
    if (c === undefined) columnOf.set(ep, (c = columnOf.size));
    return c;
  };
  const first = messages.length ? BigInt(messages[0].micro_ts) : 0n;
  const arrows = messages.map((m, index) => {
    const src = endpoint(m.source_ip, m.source_port);
    const dst = endpoint(m.destination_ip, m.destination_port);
    const fromCol = col(src);
    const toCol = col(dst);
    if (!legOf.has(m.callid)) legOf.set(m.callid, legOf.size);
    return {
      index,
      src,
      dst,
      fromCol,
      toCol,
      label: messageLabel(m),
      offset: offsetText(BigInt(m.micro_ts), first),
      leg: legOf.get(m.callid)!,
      y: g.top + 28 + index * g.rowHeight,
    };
  });
  // Room for the longest IP:port (about 7.5 px a character in the label font).
  const longest = Math.max(0, ...[...columnOf.keys()].map((ep) => ep.length));
  const cw = Math.max(g.columnWidth, Math.ceil(longest * 7.5) + 40);
  const xOf = (c: number) => g.gutter + cw / 2 + c * cw;
  return {
    columns: [...columnOf.keys()].map((ep, i) => ({ endpoint: ep, x: xOf(i) })),
    arrows: arrows.map((a) => ({ ...a, x1: xOf(a.fromCol), x2: xOf(a.toCol) })),
    legs: [...legOf.keys()],
    columnWidth: cw,
    rowHeight: g.rowHeight,
    width: g.gutter + Math.max(1, columnOf.size) * cw,
    height: g.top + 28 + messages.length * g.rowHeight + 16,
  };
}
