import { describe, it, expect } from 'vitest';
import { allocSlots, compileHeaderTable, headerValue, scanHeaders } from './header-scan';
import { latin1Text } from './latin1-text';

const NAMES = ['call-id', 'via', 'contact', 'subject', 'x-cid', 'user-agent'];

function scan(headers: string, names = NAMES) {
  const table = compileHeaderTable(names);
  const slots = allocSlots(table);
  const t = latin1Text(headers);
  const body = scanHeaders(t, 0, table, slots);
  const values: Record<string, string | undefined> = {};
  names.forEach((n, i) => (values[n] = headerValue(t, slots, i)));
  return { values, body };
}

describe('scanHeaders', () => {
  it('finds headers in any case, with whitespace before the colon, and stops at the empty line', () => {
    const text = 'cAlL-iD :  abc@host  \r\nVIA: SIP/2.0/UDP h\r\nMax-Forwards: 70\r\n\r\nCall-ID: body-not-header\r\n';
    const { values, body } = scan(text);
    expect(values['call-id']).toBe('abc@host');
    expect(values.via).toBe('SIP/2.0/UDP h');
    expect(body).toBe(text.indexOf('Call-ID: body'));
  });

  it('maps compact forms to their full names', () => {
    const { values } = scan('i: cid-1\r\nv: SIP/2.0/TCP a\r\nm: <sip:a@b>\r\ns: Hello\r\n\r\n');
    expect(values).toMatchObject({ 'call-id': 'cid-1', via: 'SIP/2.0/TCP a', contact: '<sip:a@b>', subject: 'Hello' });
  });

  it('keeps the first line of a repeated header', () => {
    const { values } = scan('Via: first, second\r\nVia: third\r\nX-CID: one\r\nx-cid: two\r\n\r\n');
    expect(values.via).toBe('first, second');
    expect(values['x-cid']).toBe('one');
  });

  it('joins folded lines with one space', () => {
    const text = 'Subject: I know you are there,\r\n     pretty sure\r\n\tof it\r\nCall-ID: c\r\n\r\n';
    const { values } = scan(text);
    expect(values.subject).toBe('I know you are there, pretty sure of it');
    expect(values['call-id']).toBe('c');
  });

  it('takes a value that starts on a continuation line without a leading space', () => {
    expect(scan('Subject:\r\n  late start\r\n\r\n').values.subject).toBe('late start');
  });

  it('skips the continuation lines of headers it does not want', () => {
    const { values } = scan('Allow: INVITE,\r\n Call-ID: not-a-header\r\nCall-ID: real\r\n\r\n');
    expect(values['call-id']).toBe('real');
  });

  it('accepts bare LF line ends', () => {
    const text = 'Call-ID: lf\nVia: v\n\nbody';
    const { values, body } = scan(text);
    expect(values).toMatchObject({ 'call-id': 'lf', via: 'v' });
    expect(body).toBe(text.length - 4);
  });

  it('skips lines without a colon and names with inner spaces', () => {
    const { values } = scan('garbage line\r\nCall ID: no\r\nCall-ID: yes\r\n\r\n');
    expect(values['call-id']).toBe('yes');
  });

  it('gives empty values for present empty headers and undefined for absent ones', () => {
    const { values } = scan('X-CID:\r\n\r\n');
    expect(values['x-cid']).toBe('');
    expect(values.via).toBeUndefined();
  });

  it('runs to the end of the text when there is no empty line', () => {
    const text = 'Call-ID: x\r\nVia: y';
    const { values, body } = scan(text);
    expect(values.via).toBe('y');
    expect(body).toBe(text.length);
  });

  it('does not take a header whose name only shares length and end letters', () => {
    // 'user-agent' and 'usxr-agent' hash alike (length, first and last byte).
    const { values } = scan('Usxr-Agent: fake\r\nUser-Agent: real\r\n\r\n');
    expect(values['user-agent']).toBe('real');
  });

  it('matches header names containing underscores exactly', () => {
    const { values } = scan('X_Tag: under\r\nX\x7fTag: del\r\n\r\n', ['x_tag']);
    expect(values.x_tag).toBe('under');
  });
});
