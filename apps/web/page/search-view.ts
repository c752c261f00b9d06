/// <reference lib="dom" />
import { getJson } from './api-client';
import type { SearchResult, SearchRow } from './api-types';
import { byId, h, replace } from './dom';
import { endpoint, messageLabel, protoName, shortDate } from './format';

/** The form's filters, by API parameter name. */
export const FILTERS = ['callid', 'from_user', 'to_user', 'ruri_user', 'pid_user', 'method', 'source_ip', 'destination_ip', 'node'] as const;

/** The search parameters of the form (empty fields left out). */
export function formParams(form: HTMLFormElement): URLSearchParams {
  const p = new URLSearchParams();
  for (const name of ['from', 'to', ...FILTERS, 'limit']) {
    const input = form.elements.namedItem(name) as HTMLInputElement | null;
    const v = input?.value.trim() ?? '';
    if (v !== '') p.set(name, v);
  }
  return p;
}

export interface SearchState {
  params: URLSearchParams;
  /** Cursors of the pages before the current one (for "Newer"). */
  previous: (string | undefined)[];
  current?: string;
}

function resultRow(r: SearchRow, openCall: (callid: string, atMs: string) => void): HTMLTableRowElement {
  const atMs = String(BigInt(r.micro_ts) / 1000n);
  const open = h('button', { type: 'button', class: 'link open-call', 'data-callid': r.callid, title: 'Open the call' }, r.callid);
  open.addEventListener('click', () => openCall(r.callid, atMs));
  return h('tr', { 'data-id': r.id, 'data-table': r.table },
    h('td', { class: 'nowrap' }, shortDate(r.date)),
    h('td', { class: 'method' }, messageLabel(r)),
    h('td', {}, r.from_user),
    h('td', {}, r.to_user),
    h('td', {}, r.ruri_user),
    h('td', { class: 'callid' }, open),
    h('td', { class: 'nowrap' }, endpoint(r.source_ip, r.source_port)),
    h('td', { class: 'nowrap' }, endpoint(r.destination_ip, r.destination_port)),
    h('td', {}, protoName(r.proto)),
    h('td', {}, r.node));
}

/** Runs the search of `state` and fills the results table and the pager. */
export async function runSearch(state: SearchState, openCall: (callid: string, atMs: string) => void, onError: (e: unknown) => void): Promise<void> {
  const params = new URLSearchParams(state.params);
  if (state.current) params.set('before', state.current);
  const status = byId('search-status');
  replace(status, 'Searching…');
  let result: SearchResult;
  try {
    result = await getJson<SearchResult>(`/api/search?${params}`);
  } catch (e) {
    replace(status, '');
    onError(e);
    return;
  }
  const body = byId('results-body');
  replace(body, ...result.rows.map((r) => resultRow(r, openCall)));
  byId('results').hidden = result.rows.length === 0;
  const pageNo = state.previous.length + 1;
  replace(status,
    result.rows.length === 0 ? 'No message matches.' : `Page ${pageNo}: ${result.rows.length} messages, newest first`,
    ` · ${shortDate(result.from).slice(0, 19)} to ${shortDate(result.to).slice(0, 19)} UTC · tables: ${result.tables.join(', ') || 'none'}`);

  const pager = byId('pager');
  const newer = h('button', { type: 'button', id: 'page-newer' }, '‹ Newer');
  const older = h('button', { type: 'button', id: 'page-older' }, 'Older ›');
  newer.disabled = state.previous.length === 0;
  older.disabled = !result.hasMore;
  newer.addEventListener('click', () => {
    state.current = state.previous.pop();
    void runSearch(state, openCall, onError);
  });
  older.addEventListener('click', () => {
    state.previous.push(state.current);
    state.current = result.next;
    void runSearch(state, openCall, onError);
  });
  replace(pager, newer, older);
}
