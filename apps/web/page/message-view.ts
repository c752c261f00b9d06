/// <reference lib="dom" />
import type { CallMessage } from './api-types';
import { h } from './dom';
import { endpoint, protoName, shortDate } from './format';
import { base64Bytes, messageText, splitSip } from './sip-text';

/**
 * One whole SIP message: a caption (time, addresses, transport, where it is stored), the start line,
 * the header lines (names set apart from values) and, below a divider, the body.
 */
export function messageView(m: CallMessage, position: number): HTMLElement {
  const bytes = base64Bytes(m.msg);
  const parts = splitSip(messageText(bytes));
  const headers = h('div', { class: 'sip-headers', 'data-part': 'headers' });
  for (const { name, value } of parts.headers) {
    headers.appendChild(
      h(
        'div',
        { class: 'sip-header' },
        name ? h('span', { class: 'hname' }, name) : null,
        name ? ': ' : '',
        h('span', { class: 'hvalue' }, value),
      ),
    );
  }
  return h(
    'article',
    { class: 'message', 'data-id': m.id, 'data-table': m.table },
    h(
      'header',
      { class: 'message-caption' },
      h('strong', {}, `#${position + 1}`),
      ' ',
      shortDate(m.date),
      ' UTC · ',
      endpoint(m.source_ip, m.source_port),
      ' → ',
      endpoint(m.destination_ip, m.destination_port),
      ' ',
      protoName(m.proto),
      ' · ',
      `${bytes.length} bytes`,
      ' · ',
      h('span', { class: 'muted' }, `${m.table} id ${m.id}${m.node ? `, node ${m.node}` : ''}`),
    ),
    h('div', { class: 'sip-start', 'data-part': 'start' }, parts.startLine),
    headers,
    parts.body ? h('div', { class: 'sip-body-label' }, `body (${parts.body.length} characters)`) : null,
    parts.body ? h('pre', { class: 'sip-body', 'data-part': 'body' }, parts.body) : null,
  );
}
