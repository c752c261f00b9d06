/// <reference lib="dom" />
// The sipcap web page: search form, results, and the call view with its ladder diagram. Built by
// scripts/build-app.mjs into dist/apps/web/page and served by the web app itself.
import { ApiError, storeToken, takeTokenFromAddress } from './api-client';
import { showCall, type CallRef } from './call-view';
import { byId, replace } from './dom';
import { utcInputValue } from './format';
import { formParams, runSearch, type SearchState } from './search-view';

let retry: (() => void) | undefined;

/** A 401 asks for the token and retries; anything else is shown in the error bar. */
function onError(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) {
    byId('token-dialog').hidden = false;
    byId<HTMLInputElement>('token-input').focus();
    return;
  }
  replace(byId('error'), e instanceof Error ? e.message : String(e));
  byId('error').hidden = false;
}

function clearError(): void {
  byId('error').hidden = true;
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
  location.hash = p.toString(); // hashchange shows it
}

function route(): void {
  clearError();
  const ref = callFromHash();
  if (ref) {
    retry = () => void showCall(ref, onError);
    retry();
  } else {
    byId('call-view').hidden = true;
    byId('search-view').hidden = false;
  }
}

function start(): void {
  takeTokenFromAddress();
  const form = byId<HTMLFormElement>('search-form');
  const now = Date.now();
  byId<HTMLInputElement>('from').placeholder = utcInputValue(now - 3_600_000);
  byId<HTMLInputElement>('to').placeholder = utcInputValue(now);
  const state: SearchState = { params: new URLSearchParams(), previous: [] };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearError();
    state.params = formParams(form);
    state.previous = [];
    state.current = undefined;
    retry = () => void runSearch(state, (callid, at) => openCall(callid, at), onError);
    retry();
  });
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
  route();
}

start();
