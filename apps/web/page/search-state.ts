/**
 * The search as the address keeps it (`?from=…&callid=…&view=calls&tz=local`): shareable, reloadable,
 * one history entry per search. Pure: no DOM, so it is unit tested.
 */

/** The form's filters, by API parameter name. */
export const FILTERS = [
  'callid',
  'from_user',
  'to_user',
  'ruri_user',
  'pid_user',
  'method',
  'source_ip',
  'destination_ip',
  'node',
] as const;

export type View = 'calls' | 'messages';
export type TimeZoneChoice = 'utc' | 'local';

export interface SearchState {
  /** from, to (as typed, in `tz`), the filters and limit; empty ones left out. */
  fields: Record<string, string>;
  view: View;
  tz: TimeZoneChoice;
}

export const FIELD_NAMES = ['from', 'to', ...FILTERS, 'limit'] as const;

export function stateFromAddress(search: string): SearchState {
  const p = new URLSearchParams(search);
  const fields: Record<string, string> = {};
  for (const name of FIELD_NAMES) {
    const v = p.get(name)?.trim();
    if (v) fields[name] = v;
  }
  return { fields, view: p.get('view') === 'messages' ? 'messages' : 'calls', tz: p.get('tz') === 'local' ? 'local' : 'utc' };
}

/** The address's query string of a state (defaults left out, so the front door stays `/`). */
export function addressOf(s: SearchState): string {
  const p = new URLSearchParams(s.fields);
  if (s.view !== 'calls') p.set('view', s.view);
  if (s.tz !== 'utc') p.set('tz', s.tz);
  const q = p.toString();
  return q ? `?${q}` : '';
}

/**
 * The API's parameters: a typed time is UTC for `utc`; for `local` it is read in the browser's zone
 * (`parseLocal`, Date's reading of a zoneless date-time) and sent as ISO 8601 UTC.
 */
export function apiParams(s: SearchState, parseLocal: (text: string) => number = (t) => new Date(t).getTime()): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(s.fields)) {
    if ((k === 'from' || k === 'to') && s.tz === 'local') {
      const ms = parseLocal(v);
      p.set(k, Number.isNaN(ms) ? v : new Date(ms).toISOString());
    } else p.set(k, v);
  }
  return p;
}
