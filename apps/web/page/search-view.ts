/// <reference lib="dom" />
import { getJson } from './api-client';
import type { AddressNames, CallsResult, CallSummary, SearchResult, SearchRow } from './api-types';
import { byId, h, replace } from './dom';
import { durationText, endpoint, messageLabel, protoName, zonedDate, zoneName } from './format';
import { apiParams, FIELD_NAMES, type SearchState } from './search-state';

export type OpenCall = (callid: string, atMs: string) => void;

/** The search fields of the form (empty ones left out). */
export function formFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of FIELD_NAMES) {
    const input = form.elements.namedItem(name) as HTMLInputElement | null;
    const v = input?.value.trim() ?? '';
    if (v !== '') fields[name] = v;
  }
  return fields;
}

/** Puts a state's fields into the form (what the address says, after a reload or Back). */
export function fillForm(form: HTMLFormElement, s: SearchState): void {
  for (const name of FIELD_NAMES) {
    const input = form.elements.namedItem(name) as HTMLInputElement | null;
    if (input) input.value = s.fields[name] ?? (name === 'limit' ? '100' : '');
  }
  (form.elements.namedItem('tz') as HTMLSelectElement).value = s.tz;
}

/** Removes the messages next to fields. */
export function clearFieldErrors(form: HTMLFormElement): void {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/** Shows `message` next to the input `field`; false when the form has no such input. */
export function showFieldError(form: HTMLFormElement, field: string, message: string): boolean {
  const input = form.elements.namedItem(field) as HTMLInputElement | null;
  if (!input || !input.parentElement) return false;
  input.setAttribute('aria-invalid', 'true');
  input.parentElement.appendChild(h('span', { class: 'field-error', id: `error-${field}`, role: 'alert' }, message));
  return true;
}

/** Pages of the messages view: cursors of the pages before the current one (for "Newer"). */
export interface Paging {
  previous: (string | undefined)[];
  current?: string;
}

const openButton = (callid: string, atMs: string, openCall: OpenCall) => {
  const b = h('button', { type: 'button', class: 'link open-call', 'data-callid': callid, title: 'Open the call' }, callid);
  b.addEventListener('click', () => openCall(callid, atMs));
  return b;
};

/** `ip:port`, after the address's name when it has one. */
function endpointCell(ip: string, port: number, names: AddressNames): HTMLTableCellElement {
  const name = names[ip];
  return h('td', { class: 'nowrap' }, name ? h('span', { class: 'address-name' }, name, ' ') : null, endpoint(ip, port));
}

function resultRow(r: SearchRow, s: SearchState, names: AddressNames, openCall: OpenCall): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-id': r.id, 'data-table': r.table },
    h('td', { class: 'nowrap' }, zonedDate(r.date, s.tz)),
    h('td', { class: 'method' }, messageLabel(r)),
    h('td', {}, r.from_user),
    h('td', {}, r.to_user),
    h('td', {}, r.ruri_user),
    h('td', { class: 'callid' }, openButton(r.callid, String(BigInt(r.micro_ts) / 1000n), openCall)),
    endpointCell(r.source_ip, r.source_port, names),
    endpointCell(r.destination_ip, r.destination_port, names),
    h('td', {}, protoName(r.proto)),
    h('td', {}, r.node),
  );
}

/** The status cell: the final code, coloured by class; a call without one is still going or unanswered. */
function statusCell(status: string): HTMLTableCellElement {
  return h('td', { class: `status-code status-${status ? status[0] : 'none'}` }, status || '—');
}

function callRow(c: CallSummary, s: SearchState, openCall: OpenCall): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-callid': c.callid },
    h('td', { class: 'nowrap' }, zonedDate(c.start, s.tz)),
    h('td', { class: 'from' }, c.from_user),
    h('td', { class: 'to' }, c.to_user),
    h('td', { class: 'duration nowrap' }, durationText(c.durationMs)),
    statusCell(c.status),
    h('td', { class: 'legs-count' }, c.legs),
    h('td', { class: 'messages-count' }, c.messages),
    h(
      'td',
      { class: 'callid' },
      openButton(c.callid, String(BigInt(c.micro_ts) / 1000n), openCall),
      c.method && c.method !== 'INVITE' ? h('span', { class: 'muted' }, ` ${c.method}`) : null,
    ),
  );
}

/** `· 2025-01-15 09:00:00 to 10:00:00 UTC · tables: …`: the range the server searched, in the chosen zone. */
function rangeText(r: { from: string; to: string; tables: string[] }, s: SearchState): string {
  return ` · searched ${zonedDate(r.from, s.tz).slice(0, 19)} to ${zonedDate(r.to, s.tz).slice(0, 19)} ${zoneName(s.tz)} · tables: ${r.tables.join(', ') || 'none'}`;
}

/** Runs the search of `s` in its view (calls or messages) and fills the table, the status line and the pager. */
export async function runSearch(s: SearchState, paging: Paging, openCall: OpenCall, onError: (e: unknown) => void): Promise<void> {
  const params = apiParams(s);
  const status = byId('search-status');
  replace(status, 'Searching…');
  document
    .querySelectorAll('.time-head')
    .forEach((th) => (th.textContent = `${th.closest('#calls') ? 'Start' : 'Time'} (${zoneName(s.tz)})`));
  document
    .querySelectorAll('.view-tabs button')
    .forEach((b) => b.setAttribute('aria-pressed', String(b.getAttribute('data-view') === s.view)));
  try {
    if (s.view === 'calls') {
      const result = await getJson<CallsResult>(`/api/calls?${params}`);
      replace(byId('calls-body'), ...result.calls.map((c) => callRow(c, s, openCall)));
      byId('calls').hidden = result.calls.length === 0;
      byId('results').hidden = true;
      replace(byId('pager'));
      replace(
        status,
        result.calls.length === 0
          ? 'No call matches.'
          : `${result.calls.length} calls, newest first${result.hasMore ? ' (more matched: narrow the range or the filters to see older ones)' : ''}`,
        h('span', { id: 'search-range' }, rangeText(result, s)),
      );
      return;
    }
    if (paging.current) params.set('before', paging.current);
    const result = await getJson<SearchResult>(`/api/search?${params}`);
    replace(byId('results-body'), ...result.rows.map((r) => resultRow(r, s, result.names ?? {}, openCall)));
    byId('results').hidden = result.rows.length === 0;
    byId('calls').hidden = true;
    replace(
      status,
      result.rows.length === 0 ? 'No message matches.' : `Page ${paging.previous.length + 1}: ${result.rows.length} messages, newest first`,
      h('span', { id: 'search-range' }, rangeText(result, s)),
    );
    const newer = h('button', { type: 'button', id: 'page-newer' }, '‹ Newer');
    const older = h('button', { type: 'button', id: 'page-older' }, 'Older ›');
    newer.disabled = paging.previous.length === 0;
    older.disabled = !result.hasMore;
    newer.addEventListener('click', () => {
      paging.current = paging.previous.pop();
      void runSearch(s, paging, openCall, onError);
    });
    older.addEventListener('click', () => {
      paging.previous.push(paging.current);
      paging.current = result.next;
      void runSearch(s, paging, openCall, onError);
    });
    replace(byId('pager'), newer, older);
  } catch (e) {
    replace(status, '');
    onError(e);
  }
}
