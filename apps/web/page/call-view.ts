/// <reference lib="dom" />
import { download, getJson } from './api-client';
import type { CallReportsResult, CallResult } from './api-types';
import { byId, h, replace } from './dom';
import { shortDate } from './format';
import { layoutLadder } from './ladder-layout';
import { addLadderMarks } from './ladder-marks-svg';
import { ladderSvg } from './ladder-svg';
import { legColour } from './leg-colour';
import { messageView } from './message-view';
import { ladderMarks } from './qos-series';
import { logsView, qosView } from './qos-view';

const TABS = ['tab-ladder', 'tab-qos', 'tab-logs'];

/** Shows one tab's panel (ladder, QoS, logs) and hides the others. */
export function selectTab(id: string): void {
  for (const t of TABS) {
    const tab = byId(t);
    tab.setAttribute('aria-selected', String(t === id));
    byId(tab.getAttribute('data-panel')!).hidden = t !== id;
  }
}

let tabsWired = false;
function wireTabs(): void {
  if (tabsWired) return;
  tabsWired = true;
  for (const t of TABS) byId(t).addEventListener('click', () => selectTab(t));
}

export interface CallRef {
  callid: string;
  /** Time of one of its messages (epoch ms), where the server looks for the call. */
  at?: string;
}

export function callQuery(ref: CallRef): string {
  return ref.at ? `?at=${encodeURIComponent(ref.at)}` : '';
}

function fileName(callid: string, ext: string): string {
  return `call-${callid.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}.${ext}`;
}

/** Counts call views opened: a slow answer for a call no longer shown is dropped. */
let opened = 0;

/** Loads a call and shows its legs, the ladder and (after a click on an arrow) one message. */
export async function showCall(ref: CallRef, onError: (e: unknown) => void): Promise<void> {
  const mine = ++opened;
  const view = byId('call-view');
  const status = byId('call-status');
  replace(status, 'Loading the call…');
  replace(byId('call-title'), 'Call ', h('code', {}, ref.callid));
  replace(byId('ladder'));
  replace(byId('message'));
  replace(byId('qos'), 'Loading…');
  replace(byId('logs'), 'Loading…');
  replace(byId('tab-qos'), 'QoS');
  replace(byId('tab-logs'), 'Logs');
  wireTabs();
  selectTab('tab-ladder');
  view.hidden = false;
  byId('search-view').hidden = true;
  const base = `/api/call/${encodeURIComponent(ref.callid)}`;
  let call: CallResult;
  // The reports load beside the call; a failure there leaves the ladder standing.
  const reportsLoad = getJson<CallReportsResult>(`${base}/reports${callQuery(ref)}`);
  reportsLoad.catch(() => undefined);
  try {
    call = await getJson<CallResult>(base + callQuery(ref));
    if (mine !== opened) return;
  } catch (e) {
    if (mine !== opened) return;
    replace(status, '');
    onError(e);
    return;
  }

  const layout = layoutLadder(call.messages);
  const legs = h('ul', { class: 'legs' });
  layout.legs.forEach((callid, i) => {
    const swatch = h('span', { class: 'swatch', 'data-colour': legColour(i) });
    swatch.style.background = legColour(i); // CSSOM: allowed by the page's CSP, unlike a style attribute
    legs.appendChild(
      h(
        'li',
        { class: `leg leg-${i}` },
        swatch,
        h('code', {}, callid),
        ` (${call.messages.filter((m) => m.callid === callid).length} messages)`,
      ),
    );
  });
  const first = call.messages[0];
  replace(
    status,
    `${call.messages.length} messages in ${layout.legs.length} leg${layout.legs.length === 1 ? '' : 's'}`,
    first ? `, from ${shortDate(first.date)} UTC` : '',
    call.truncated ? ' (cut: too many messages or linked Call-IDs)' : '',
    legs,
  );

  const actions = byId('call-actions');
  replace(
    actions,
    h('button', { type: 'button', id: 'download-pcap' }, 'Download pcap'),
    h('button', { type: 'button', id: 'download-text' }, 'Download text'),
  );
  byId('download-pcap').addEventListener(
    'click',
    () => void download(`${base}/pcap${callQuery(ref)}`, fileName(ref.callid, 'pcap')).catch(onError),
  );
  byId('download-text').addEventListener(
    'click',
    () => void download(`${base}/text${callQuery(ref)}`, fileName(ref.callid, 'txt')).catch(onError),
  );

  const select = (index: number) => {
    byId('ladder')
      .querySelectorAll('g.arrow')
      .forEach((g) => g.classList.toggle('selected', g.getAttribute('data-index') === String(index)));
    replace(byId('message'), messageView(call.messages[index], index));
  };
  const svg = ladderSvg(layout, select, call.names);
  replace(byId('ladder'), svg);

  let reports: CallReportsResult;
  try {
    reports = await reportsLoad;
    if (mine !== opened) return;
  } catch (e) {
    if (mine !== opened) return;
    replace(byId('qos'), 'The reports could not be loaded.');
    replace(byId('logs'), 'The reports could not be loaded.');
    onError(e);
    return;
  }
  const t0 = first ? BigInt(first.micro_ts) : BigInt(reports.rtcp[0]?.micro_ts ?? reports.logs[0]?.micro_ts ?? '0');
  replace(byId('tab-qos'), `QoS (${reports.rtcp.length + reports.reports.length})`);
  replace(byId('tab-logs'), `Logs (${reports.logs.length})`);
  replace(
    byId('qos'),
    qosView(reports.rtcp, reports.reports, t0),
    reports.truncated ? h('p', { class: 'muted' }, '(cut: too many reports)') : null,
  );
  replace(byId('logs'), logsView(reports.logs, t0));
  const items = [...reports.rtcp, ...reports.reports, ...reports.logs].map((r) => ({ micro_ts: r.micro_ts, kind: r.kind }));
  addLadderMarks(
    svg,
    layout,
    ladderMarks(
      call.messages.map((m) => m.micro_ts),
      items,
    ),
  );
}
