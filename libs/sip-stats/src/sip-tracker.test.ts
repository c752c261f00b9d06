import { describe, expect, it } from 'vitest';
import { outcomeOfCode } from './kpi-sink';
import { PeerMap } from './peer-map';
import { SipTracker } from './sip-tracker';
import { StateBudget } from './state-budget';
import { Flow, RecordingSink } from './test-support';

const T0 = 1_700_000_000;

function setup(opts: { maxItems?: number; callTtlS?: number } = {}) {
  const sink = new RecordingSink();
  const budget = new StateBudget(opts.maxItems ?? 10_000, 64 * 1024 * 1024);
  const tracker = new SipTracker({
    peers: new PeerMap('carrierA=203.0.113.0/24'),
    sink,
    budget,
    retransWindowS: 32,
    callTtlS: opts.callTtlS ?? 3600,
  });
  return { sink, tracker, budget };
}

describe('SipTracker: call flows', () => {
  it('answered call: counts per method and code, SRD to the 180, setup to the 200, duration to the BYE, active while up', () => {
    const { sink, tracker } = setup();
    const f = new Flow('answered@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'z9hG4bK1'));
    tracker.handle(f.res(T0 + 0.05, 100, 'INVITE', 1, 'z9hG4bK1'));
    tracker.handle(f.res(T0 + 0.4, 180, 'INVITE', 1, 'z9hG4bK1'));
    tracker.handle(f.res(T0 + 3.4, 200, 'INVITE', 1, 'z9hG4bK1'));
    expect(sink.count('active n1 carrierA')).toBe(1);
    tracker.handle(f.req(T0 + 3.5, 'ACK', 1, 'z9hG4bK2', { toTag: 'tt' }));
    tracker.handle(f.req(T0 + 63.4, 'BYE', 2, 'z9hG4bK3', { toTag: 'tt' }));
    tracker.handle(f.res(T0 + 63.45, 200, 'BYE', 2, 'z9hG4bK3'));
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 1, 'req n1 carrierA ACK': 1, 'req n1 carrierA BYE': 1 });
    expect(sink.only('res')).toEqual({
      'res n1 carrierA INVITE 100': 1,
      'res n1 carrierA INVITE 180': 1,
      'res n1 carrierA INVITE 200': 1,
      'res n1 carrierA BYE 200': 1,
    });
    expect(sink.only('call')).toEqual({ 'call n1 carrierA answered': 1 });
    expect(sink.observed.get('srd carrierA')).toEqual([0.4]);
    expect(sink.observed.get('setup carrierA')).toEqual([3.4]);
    expect(sink.observed.get('duration carrierA')).toEqual([60]);
    expect(sink.count('active n1 carrierA')).toBe(0);
    expect(sink.only('anomaly')).toEqual({});
    expect(sink.only('retrans')).toEqual({});
  });

  it('busy: 486 gives busy, no SRD (no 18x/2xx), no setup time, no active call', () => {
    const { sink, tracker } = setup();
    const f = new Flow('busy@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'b1'));
    tracker.handle(f.res(T0 + 0.1, 100, 'INVITE', 1, 'b1'));
    tracker.handle(f.res(T0 + 1.2, 486, 'INVITE', 1, 'b1'));
    tracker.handle(f.req(T0 + 1.3, 'ACK', 1, 'b1', { toTag: 'tt' }));
    expect(sink.only('call')).toEqual({ 'call n1 carrierA busy': 1 });
    expect(sink.observed.get('srd carrierA')).toBeUndefined();
    expect(sink.observed.get('setup carrierA')).toBeUndefined();
    expect(sink.count('active n1 carrierA')).toBe(0);
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 1, 'req n1 carrierA ACK': 1 });
    expect(sink.only('anomaly')).toEqual({});
  });

  it('no answer: 180 then 480 after ringing gives no_answer and the SRD of the 180', () => {
    const { sink, tracker } = setup();
    const f = new Flow('noanswer@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'n1'));
    tracker.handle(f.res(T0 + 0.25, 180, 'INVITE', 1, 'n1'));
    tracker.handle(f.res(T0 + 30.25, 480, 'INVITE', 1, 'n1'));
    tracker.handle(f.req(T0 + 30.3, 'ACK', 1, 'n1', { toTag: 'tt' }));
    expect(sink.only('call')).toEqual({ 'call n1 carrierA no_answer': 1 });
    expect(sink.observed.get('srd carrierA')).toEqual([0.25]);
  });

  it('cancelled: CANCEL while ringing, its 200, the 487: one cancelled call', () => {
    const { sink, tracker } = setup();
    const f = new Flow('cancel@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'c1'));
    tracker.handle(f.res(T0 + 0.5, 180, 'INVITE', 1, 'c1'));
    tracker.handle(f.req(T0 + 8, 'CANCEL', 1, 'c1'));
    tracker.handle(f.res(T0 + 8.02, 200, 'CANCEL', 1, 'c1'));
    tracker.handle(f.res(T0 + 8.03, 487, 'INVITE', 1, 'c1'));
    tracker.handle(f.req(T0 + 8.04, 'ACK', 1, 'c1', { toTag: 'tt' }));
    expect(sink.only('call')).toEqual({ 'call n1 carrierA cancelled': 1 });
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 1, 'req n1 carrierA CANCEL': 1, 'req n1 carrierA ACK': 1 });
    expect(sink.only('res')).toEqual({ 'res n1 carrierA INVITE 180': 1, 'res n1 carrierA CANCEL 200': 1, 'res n1 carrierA INVITE 487': 1 });
    expect(sink.only('anomaly')).toEqual({});
  });

  it('a CANCEL whose 487 is never seen is cancelled when the call expires', () => {
    const { sink, tracker } = setup({ callTtlS: 60 });
    const f = new Flow('cancel-lost@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'c1'));
    tracker.handle(f.req(T0 + 2, 'CANCEL', 1, 'c1'));
    tracker.advance(T0 + 63);
    expect(sink.only('call')).toEqual({ 'call n1 carrierA cancelled': 1 });
    expect(sink.only('dropped call')).toEqual({});
  });

  it('forked 180s: two provisional replies with their own To tags, SRD from the first, one answered call', () => {
    const { sink, tracker } = setup();
    const f = new Flow('fork@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'f1'));
    tracker.handle(f.res(T0 + 0.3, 180, 'INVITE', 1, 'f1', { toTag: 'x' }));
    tracker.handle(f.res(T0 + 0.5, 180, 'INVITE', 1, 'f1', { toTag: 'y' }));
    tracker.handle(f.res(T0 + 5, 200, 'INVITE', 1, 'f1', { toTag: 'y' }));
    tracker.handle(f.res(T0 + 5.1, 200, 'INVITE', 1, 'f1', { toTag: 'x' }));
    expect(sink.only('res')).toEqual({ 'res n1 carrierA INVITE 180': 2, 'res n1 carrierA INVITE 200': 2 });
    expect(sink.only('retrans')).toEqual({});
    expect(sink.observed.get('srd carrierA')).toEqual([0.3]);
    expect(sink.observed.get('setup carrierA')).toEqual([5]);
    expect(sink.only('call')).toEqual({ 'call n1 carrierA answered': 1 });
    expect(sink.count('active n1 carrierA')).toBe(1);
  });

  it('retransmitted INVITE and 180: counted as retransmissions, not requests/replies; SRD from the first INVITE', () => {
    const { sink, tracker } = setup();
    const f = new Flow('retrans@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'r1'));
    tracker.handle(f.req(T0 + 0.5, 'INVITE', 1, 'r1'));
    tracker.handle(f.req(T0 + 1.5, 'INVITE', 1, 'r1'));
    tracker.handle(f.res(T0 + 1.6, 100, 'INVITE', 1, 'r1'));
    tracker.handle(f.res(T0 + 2, 180, 'INVITE', 1, 'r1'));
    tracker.handle(f.res(T0 + 2.5, 180, 'INVITE', 1, 'r1'));
    tracker.handle(f.res(T0 + 3, 200, 'INVITE', 1, 'r1'));
    tracker.handle(f.res(T0 + 3.5, 200, 'INVITE', 1, 'r1'));
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 1 });
    expect(sink.only('res')).toEqual({ 'res n1 carrierA INVITE 100': 1, 'res n1 carrierA INVITE 180': 1, 'res n1 carrierA INVITE 200': 1 });
    expect(sink.only('retrans')).toEqual({ 'retrans n1 carrierA INVITE request': 2, 'retrans n1 carrierA INVITE response': 2 });
    expect(sink.observed.get('srd carrierA')).toEqual([2]);
    expect(sink.observed.get('setup carrierA')).toEqual([3]);
    expect(sink.only('call')).toEqual({ 'call n1 carrierA answered': 1 });
  });

  it('a repeat after the retransmission window is a new request', () => {
    const { sink, tracker } = setup();
    const f = new Flow('options@x');
    tracker.handle(f.req(T0, 'OPTIONS', 1, 'o1'));
    tracker.handle(f.req(T0 + 10, 'OPTIONS', 1, 'o1'));
    tracker.handle(f.req(T0 + 50, 'OPTIONS', 1, 'o1'));
    expect(sink.only('req')).toEqual({ 'req n1 carrierA OPTIONS': 2 });
    expect(sink.only('retrans')).toEqual({ 'retrans n1 carrierA OPTIONS request': 1 });
  });

  it('re-INVITE: counted as a request, its 200 as a reply, but no second outcome, SRD or setup; the BYE ends the first answer', () => {
    const { sink, tracker } = setup();
    const f = new Flow('reinvite@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'i1'));
    tracker.handle(f.res(T0 + 1, 200, 'INVITE', 1, 'i1'));
    tracker.handle(f.req(T0 + 1.1, 'ACK', 1, 'a1', { toTag: 'tt' }));
    tracker.handle(f.req(T0 + 30, 'INVITE', 2, 'i2', { toTag: 'tt' }));
    tracker.handle(f.res(T0 + 30.2, 200, 'INVITE', 2, 'i2'));
    tracker.handle(f.req(T0 + 30.3, 'ACK', 2, 'a2', { toTag: 'tt' }));
    tracker.handle(f.req(T0 + 91, 'BYE', 3, 'b3', { toTag: 'tt' }));
    tracker.handle(f.res(T0 + 91.1, 200, 'BYE', 3, 'b3'));
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 2, 'req n1 carrierA ACK': 2, 'req n1 carrierA BYE': 1 });
    expect(sink.only('res')).toEqual({ 'res n1 carrierA INVITE 200': 2, 'res n1 carrierA BYE 200': 1 });
    expect(sink.only('call')).toEqual({ 'call n1 carrierA answered': 1 });
    expect(sink.observed.get('srd carrierA')).toEqual([1]);
    expect(sink.observed.get('setup carrierA')).toEqual([1]);
    expect(sink.observed.get('duration carrierA')).toEqual([90]);
    expect(sink.count('active n1 carrierA')).toBe(0);
    expect(sink.only('anomaly')).toEqual({});
  });

  it('INVITE challenged by 407: no outcome for the challenge, SRD from the INVITE with credentials, setup from the first', () => {
    const { sink, tracker } = setup();
    const f = new Flow('auth@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'p1'));
    tracker.handle(f.res(T0 + 0.1, 407, 'INVITE', 1, 'p1'));
    tracker.handle(f.req(T0 + 0.15, 'ACK', 1, 'p1', { toTag: 'tt' }));
    tracker.handle(f.req(T0 + 0.3, 'INVITE', 2, 'p2'));
    tracker.handle(f.res(T0 + 0.9, 183, 'INVITE', 2, 'p2'));
    tracker.handle(f.res(T0 + 4.3, 200, 'INVITE', 2, 'p2'));
    expect(sink.only('call')).toEqual({ 'call n1 carrierA answered': 1 });
    expect(sink.observed.get('srd carrierA')).toEqual([0.6]);
    expect(sink.observed.get('setup carrierA')).toEqual([4.3]);
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 2, 'req n1 carrierA ACK': 1 });
  });

  it('REGISTER challenge: RRD from the first REGISTER to the 200, one active registration until it expires', () => {
    const { sink, tracker } = setup();
    const f = new Flow('reg@x');
    const aor = { aor: 'alice@example.com' };
    tracker.handle(f.req(T0, 'REGISTER', 1, 'g1', aor));
    tracker.handle(f.res(T0 + 0.02, 401, 'REGISTER', 1, 'g1', aor));
    tracker.handle(f.req(T0 + 0.1, 'REGISTER', 2, 'g2', aor));
    tracker.handle(f.res(T0 + 0.15, 200, 'REGISTER', 2, 'g2', { ...aor, expires: 600 }));
    expect(sink.only('req')).toEqual({ 'req n1 carrierA REGISTER': 2 });
    expect(sink.only('res')).toEqual({ 'res n1 carrierA REGISTER 401': 1, 'res n1 carrierA REGISTER 200': 1 });
    expect(sink.observed.get('rrd carrierA')).toEqual([0.15]);
    expect(sink.count('regs n1 carrierA')).toBe(1);
    // Refresh at +300 for 600 more: still one; gone at +901.
    tracker.handle(f.req(T0 + 300, 'REGISTER', 3, 'g3', aor));
    tracker.handle(f.res(T0 + 300.05, 200, 'REGISTER', 3, 'g3', { ...aor, expires: 600 }));
    expect(sink.observed.get('rrd carrierA')).toEqual([0.15, 0.05]);
    expect(sink.count('regs n1 carrierA')).toBe(1);
    tracker.advance(T0 + 899);
    expect(sink.count('regs n1 carrierA')).toBe(1);
    tracker.advance(T0 + 901);
    expect(sink.count('regs n1 carrierA')).toBe(0);
    expect(sink.only('dropped')).toEqual({});
  });

  it('un-REGISTER (expires 0) ends the registration', () => {
    const { sink, tracker } = setup();
    const f = new Flow('unreg@x');
    const aor = { aor: 'bob@example.com' };
    tracker.handle(f.req(T0, 'REGISTER', 1, 'u1', aor));
    tracker.handle(f.res(T0 + 0.01, 200, 'REGISTER', 1, 'u1', { ...aor, expires: 3600 }));
    tracker.handle(f.req(T0 + 5, 'REGISTER', 2, 'u2', aor));
    tracker.handle(f.res(T0 + 5.01, 200, 'REGISTER', 2, 'u2', { ...aor, expires: 0 }));
    expect(sink.count('regs n1 carrierA')).toBe(0);
    expect(sink.observed.get('rrd carrierA')).toEqual([0.01, 0.01]);
  });

  it('maps the final INVITE reply to an outcome', () => {
    expect([200, 486, 600, 480, 487, 408, 500, 503, 403, 404, 603, 302].map(outcomeOfCode)).toEqual([
      'answered',
      'busy',
      'busy',
      'no_answer',
      'cancelled',
      'failed',
      'failed',
      'failed',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
  });

  it('names the peer by the source, else the destination, and a reply by its destination first', () => {
    const { sink, tracker } = setup();
    const inbound = new Flow('in@x', 'n1', '203.0.113.5', '192.0.2.1');
    tracker.handle(inbound.req(T0, 'INVITE', 1, 'x1'));
    tracker.handle(inbound.res(T0 + 1, 503, 'INVITE', 1, 'x1'));
    const unknown = new Flow('unknown@x', 'n2', '192.0.2.7', '192.0.2.1');
    tracker.handle(unknown.req(T0, 'OPTIONS', 1, 'x2'));
    expect(sink.only('call')).toEqual({ 'call n1 carrierA failed': 1 });
    expect(sink.only('req')).toEqual({ 'req n1 carrierA INVITE': 1, 'req n2 other OPTIONS': 1 });
  });
});

describe('SipTracker: unexpected sequences and bounds', () => {
  it('counts BYE without INVITE, a reply without request, a bad CSeq, a bad status, no Call-ID, a CANCEL of nothing', () => {
    const { sink, tracker } = setup();
    const f = new Flow('lost@x');
    tracker.handle(f.req(T0, 'BYE', 2, 'y1', { toTag: 'tt' }));
    tracker.handle(f.res(T0 + 1, 200, 'INVITE', 1, 'zz'));
    tracker.handle(f.req(T0 + 2, 'INVITE', 1, 'q', { cseq: 'INVITE' }));
    tracker.handle(f.res(T0 + 3, 0, 'INVITE', 1, 'q'));
    tracker.handle(new Flow('').req(T0 + 4, 'INVITE', 1, 'q'));
    tracker.handle(f.req(T0 + 5, 'CANCEL', 1, 'nothing'));
    tracker.handle(f.req(T0 + 6, 'INVITE', 5, 'ri', { toTag: 'tt' }));
    expect(sink.only('anomaly')).toEqual({
      'anomaly bye_without_call': 1,
      'anomaly response_without_request': 1,
      'anomaly bad_cseq': 1,
      'anomaly bad_status': 1,
      'anomaly no_callid': 1,
      'anomaly cancel_without_invite': 1,
      'anomaly in_dialog_without_call': 1,
    });
    // The orphan reply is still a reply; the BYE still a request.
    expect(sink.only('res')).toEqual({ 'res n1 carrierA INVITE 200': 1 });
    expect(sink.only('call')).toEqual({});
  });

  it('an answered call without BYE leaves the active calls when it expires, counted as expired', () => {
    const { sink, tracker } = setup({ callTtlS: 600 });
    const f = new Flow('long@x');
    tracker.handle(f.req(T0, 'INVITE', 1, 'l1'));
    tracker.handle(f.res(T0 + 1, 200, 'INVITE', 1, 'l1'));
    tracker.advance(T0 + 500);
    expect(sink.count('active n1 carrierA')).toBe(1);
    tracker.advance(T0 + 602);
    expect(sink.count('active n1 carrierA')).toBe(0);
    expect(sink.only('dropped')).toEqual({ 'dropped call expired': 1 });
    // A BYE after the expiry: the call is not known any more.
    tracker.handle(f.req(T0 + 700, 'BYE', 2, 'l2', { toTag: 'tt' }));
    expect(sink.only('anomaly')).toEqual({ 'anomaly bye_without_call': 1 });
  });

  it('holds at most the budgeted items: the oldest are evicted and counted, active calls stay right', () => {
    const { sink, tracker, budget } = setup({ maxItems: 50 });
    for (let i = 0; i < 100; i++) {
      const f = new Flow(`bulk${i}@x`);
      tracker.handle(f.req(T0 + i * 0.001, 'INVITE', 1, `b${i}`));
      tracker.handle(f.res(T0 + i * 0.001, 200, 'INVITE', 1, `b${i}`));
    }
    expect(budget.items).toBeLessThanOrEqual(50);
    const dropped = sink.count('dropped call evicted');
    expect(dropped).toBeGreaterThan(0);
    expect(sink.count('call n1 carrierA answered') - dropped).toBe(sink.count('active n1 carrierA'));
  });

  it('clear(rebalance) drops every call and registration, counted, and the gauges go back to 0', () => {
    const { sink, tracker, budget } = setup();
    for (let i = 0; i < 3; i++) {
      const f = new Flow(`rb${i}@x`);
      tracker.handle(f.req(T0, 'INVITE', 1, `r${i}`));
      tracker.handle(f.res(T0 + 1, 200, 'INVITE', 1, `r${i}`));
    }
    const r = new Flow('rbreg@x');
    tracker.handle(r.req(T0, 'REGISTER', 1, 'g', { aor: 'c@x' }));
    tracker.handle(r.res(T0, 200, 'REGISTER', 1, 'g', { aor: 'c@x', expires: 60 }));
    tracker.clear('rebalance');
    expect(sink.count('active n1 carrierA')).toBe(0);
    expect(sink.count('regs n1 carrierA')).toBe(0);
    expect(sink.count('dropped call rebalance')).toBe(3);
    expect(sink.count('dropped registration rebalance')).toBe(1);
    expect(budget.items).toBe(0);
    expect(budget.bytes).toBe(0);
  });
});
