/// <reference lib="dom" />
// The sipcap web page: search form, calls and messages views, and the call view with its ladder
// diagram. The search lives in the address (?from=…&callid=…&view=…&tz=…) and the open call in its hash
// (#call=…&at=…): both survive a reload, can be shared, and Back returns to the previous one. Built by
// scripts/build-app.mjs into dist/apps/web/page and served by the web app itself.
import { ApiError, storeToken, takeTokenFromAddress } from './api-client';
import { showCall, type CallRef } from './call-view';
import { byId, replace } from './dom';
import { inputValue } from './format';
import { addressOf, stateFromAddress, type SearchState, type TimeZoneChoice, type View } from './search-state';
import { clearFieldErrors, fillForm, formFields, runSearch, showFieldError } from './search-view';

let retry: (() => void) | undefined;
const form = () => byId<HTMLFormElement>('search-form');

/** A 401 asks for the token and retries; a 400 naming a field is shown next to it; anything else in the error bar. */
function onError(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) {
    byId('token-dialog').hidden = false;
    byId<HTMLInputElement>('token-input').focus();
    return;
  }
  if (e instanceof ApiError && e.status === 400 && e.field && showFieldError(form(), e.field, e.message)) return;
  replace(byId('error'), e instanceof Error ? e.message : String(e));
  byId('error').hidden = false;
}

function clearErrors(): void {
  byId('error').hidden = true;
  clearFieldErrors(form());
}

/** The call in the address (`#call=<Call-ID>&at=<ms>`), so a call view can be reloaded and shared. */
function callFromHash(): CallRef | undefined {
  const p = new URLSearchParams(location.hash.slice(1));
  const callid = p.get('call');
  return callid ? { callid, at: p.get('at') ?? undefined } : undefined;
}

function openCall(callid: string, at?: string): void {
  const p = new URLSearchParams({ call: callid });
  if (at) p.set('at', at);
  location.hash = p.toString(); // the navigation event shows it
}

/** The query string of the search on screen: a search runs again only when the address asks for another. */
let shownSearch: string | undefined;

/** Runs the search the address holds (the front door: the calls of the last hour). */
function searchFromAddress(): void {
  const s = stateFromAddress(location.search);
  shownSearch = location.search;
  fillForm(form(), s);
  const now = Date.now();
  byId<HTMLInputElement>('from').placeholder = inputValue(now - 3_600_000, s.tz);
  byId<HTMLInputElement>('to').placeholder = inputValue(now, s.tz);
  const paging = { previous: [] };
  retry = () => void runSearch(s, paging, (callid, at) => openCall(callid, at), onError);
  retry();
}

/** A new search from the form: one history entry (the same search again replaces it). */
function submitSearch(view: View): void {
  clearErrors();
  const tz = (form().elements.namedItem('tz') as HTMLSelectElement).value as TimeZoneChoice;
  const s: SearchState = { fields: formFields(form()), view, tz };
  const address = location.pathname + addressOf(s);
  if (address === location.pathname + location.search && !location.hash) history.replaceState(null, '', address);
  else history.pushState(null, '', address);
  routed = location.href;
  searchFromAddress();
}

/** The address routed last: popstate and hashchange may both report one navigation. */
let routed: string | undefined;

function route(): void {
  if (location.href === routed) return;
  routed = location.href;
  clearErrors();
  const ref = callFromHash();
  if (ref) {
    retry = () => void showCall(ref, onError);
    retry();
    return;
  }
  byId('call-view').hidden = true;
  byId('search-view').hidden = false;
  if (location.search !== shownSearch) searchFromAddress();
}

function start(): void {
  takeTokenFromAddress();
  form().addEventListener('submit', (e) => {
    e.preventDefault();
    submitSearch(stateFromAddress(location.search).view);
  });
  document.querySelectorAll<HTMLButtonElement>('.view-tabs button').forEach((b) => {
    b.addEventListener('click', () => submitSearch(b.getAttribute('data-view') === 'messages' ? 'messages' : 'calls'));
  });
  byId('tz').addEventListener('change', () => submitSearch(stateFromAddress(location.search).view));
  byId('back').addEventListener('click', () => {
    history.pushState(null, '', location.pathname + location.search);
    route();
  });
  byId<HTMLFormElement>('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    storeToken(byId<HTMLInputElement>('token-input').value);
    byId<HTMLInputElement>('token-input').value = '';
    byId('token-dialog').hidden = true;
    retry?.();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  // The search behind an opened call is run too, so Back to the search shows it at once.
  if (callFromHash()) searchFromAddress();
  route();
}

start();
