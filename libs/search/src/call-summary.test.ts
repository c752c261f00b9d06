import { describe, expect, it } from 'vitest';
import { summarizeCalls } from './call-summary';

const ts = (n: number) => String(1_700_000_000_000_000 + n * 1000);
const first = (n: number, v: string) => `${ts(n).padStart(20, '0')}${v}`;
const row = (callid: string, o: Partial<Record<string, string | number>> = {}) => ({
  callid,
  first_ts: ts(0),
  last_ts: ts(100),
  messages: 2,
  aleg: '',
  corr: '',
  first_from: first(0, 'alice'),
  first_to: first(0, 'bob'),
  first_method: first(0, 'INVITE'),
  invite_status: null,
  any_status: null,
  ...o,
});

describe('summarizeCalls', () => {
  it('merges legs named by callid_aleg or correlation id into their call, over tables', () => {
    const calls = summarizeCalls(
      ['b', 'a', 'd'],
      [
        row('a', { invite_status: '200', any_status: '200' }),
        row('a', { first_ts: ts(4000), last_ts: ts(5030), messages: 3, first_from: first(4000, 'zed') }), // the next day's table
        row('b', { first_ts: ts(20), last_ts: ts(5020), aleg: 'a', messages: 4, invite_status: '486' }),
        row('d', { first_ts: ts(40), last_ts: ts(50), corr: 'a', messages: 2 }),
      ],
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      callid: 'a',
      callids: ['a', 'b', 'd'],
      durationMs: 5030,
      status: '200',
      legs: 3,
      messages: 11,
      from_user: 'alice',
      to_user: 'bob',
      method: 'INVITE',
    });
  });

  it('keeps a leg whose link is not among the ids as a call of its own, newest first', () => {
    const calls = summarizeCalls(
      ['x', 'y'],
      [row('x', { aleg: 'elsewhere' }), row('y', { first_ts: ts(9000), last_ts: ts(9500), any_status: '404' })],
    );
    expect(calls.map((c) => [c.callid, c.status, c.legs])).toEqual([
      ['y', '404', 1],
      ['x', '', 1],
    ]);
  });

  it('stops on a loop of links', () => {
    const calls = summarizeCalls(['p', 'q'], [row('p', { aleg: 'q' }), row('q', { aleg: 'p' })]);
    expect(calls.flatMap((c) => c.callids).sort()).toEqual(['p', 'q']);
  });
});
