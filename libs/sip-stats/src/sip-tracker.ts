import { methodLabel, outcomeOfCode, type CallOutcome, type DropReason, type KpiSink } from './kpi-sink';
import type { PeerMap } from './peer-map';
import { parseCseq, type SipEvent } from './sip-event';
import { ExpiringMap, type StateBudget } from './state-budget';

export interface SipTrackerOptions {
  peers: PeerMap;
  sink: KpiSink;
  budget: StateBudget;
  /** Seconds a transaction is remembered: a repeat within it is a retransmission (STATS_RETRANS_WINDOW_S). */
  retransWindowS: number;
  /** Seconds a call is kept without a message before it is dropped as expired (STATS_CALL_TTL_S). */
  callTtlS: number;
  /** Seconds a registration counts as active when its 2xx carries no expiry. */
  defaultExpiresS?: number;
}

interface Txn {
  method: string;
  node: string;
  peer: string;
  /** Status code + To tag of each reply seen (a repeat is a retransmission); at most MAX_CODES. */
  codes: string[];
  /** An INVITE that sets a call up (no To tag), whose replies decide the call's outcome. */
  initial: boolean;
}

type CallState = 'setup' | 'challenged' | 'answered';

interface Call {
  node: string;
  peer: string;
  state: CallState;
  /** The first INVITE of the attempt (before any 401/407): setup time starts here. */
  firstInviteTs: number;
  /** The latest initial INVITE: SRD starts here. */
  inviteTs: number;
  srdDone: boolean;
  cancelled: boolean;
  answerTs: number;
}

interface RegExchange {
  node: string;
  peer: string;
  /** The first REGISTER of the exchange (a 401/407 challenge keeps it going). */
  firstTs: number;
}

interface Binding {
  node: string;
  peer: string;
}

const MAX_CODES = 8;
// Estimated bytes of each kind of value (objects and their fields), for the state budget; checked against
// the heap in bench/stats.bench.ts (measured 726 bytes per answered call with its transactions).
const TXN_BYTES = 200;
const CALL_BYTES = 260;
const REG_BYTES = 120;
const BINDING_BYTES = 100;

/**
 * The KPIs of the SIP messages of one Kafka partition (records are keyed by Call-ID, so a call's messages
 * are all here, in order): request and reply counts per method, retransmissions, call outcomes, SRD, RRD,
 * setup time, call duration, active calls and registrations. State is bounded (StateBudget) and expires
 * in event time (the capture times of the messages, see advance()); what is dropped is counted.
 */
export class SipTracker {
  private readonly txns: ExpiringMap<Txn>;
  private readonly calls: ExpiringMap<Call>;
  /** Calls that ended (final reply, BYE), kept a retransmission window so that late ACKs, BYEs on a second hop, ... are known. */
  private readonly ended: ExpiringMap<true>;
  private readonly regs: ExpiringMap<RegExchange>;
  private readonly bindings: ExpiringMap<Binding>;
  private readonly sink: KpiSink;
  private readonly peers: PeerMap;
  private readonly defaultExpires: number;
  /** Event time: the latest capture time seen (advance() moves it on when no messages come). */
  now = 0;
  private expiredAt = 0;

  constructor(opts: SipTrackerOptions) {
    this.sink = opts.sink;
    this.peers = opts.peers;
    this.defaultExpires = opts.defaultExpiresS ?? 3600;
    this.txns = new ExpiringMap(opts.budget, opts.retransWindowS, TXN_BYTES);
    this.calls = new ExpiringMap(opts.budget, opts.callTtlS, CALL_BYTES);
    this.ended = new ExpiringMap(opts.budget, opts.retransWindowS, 16);
    this.regs = new ExpiringMap(opts.budget, opts.retransWindowS, REG_BYTES);
    this.bindings = new ExpiringMap(opts.budget, this.defaultExpires, BINDING_BYTES);
  }

  /** Items held, by kind. */
  get sizes(): { transactions: number; calls: number; registrations: number } {
    return { transactions: this.txns.size + this.regs.size, calls: this.calls.size + this.ended.size, registrations: this.bindings.size };
  }

  handle(e: SipEvent): void {
    if (e.ts > this.now) {
      this.now = e.ts;
      // Expiry at most once per second of event time: a Map iterator per message costs more than the rest.
      if (e.ts >= this.expiredAt + 1) this.expire();
    }
    if (e.callId === '') return this.sink.anomaly('no_callid');
    const cseq = parseCseq(e.cseq);
    if (!cseq) return this.sink.anomaly('bad_cseq');
    if (e.isRequest) this.request(e, cseq[1]);
    else if (!(e.code >= 100 && e.code <= 699)) this.sink.anomaly('bad_status');
    else this.response(e, cseq[1]);
  }

  /** Moves event time on to `now` (when no messages come) and expires what is due. */
  advance(now: number): void {
    if (now <= this.now) return;
    this.now = now;
    this.expire();
  }

  /** Drops all state (its partition went to another instance, or the app stops): counted, never guessed. */
  clear(reason: DropReason): void {
    let n = 0;
    this.txns.clear(() => n++);
    this.regs.clear(() => n++);
    if (n) this.sink.stateDropped('transaction', reason, n);
    n = 0;
    this.calls.clear((c) => (n++, this.dropCall(c)));
    this.ended.clear(() => undefined);
    if (n) this.sink.stateDropped('call', reason, n);
    n = 0;
    this.bindings.clear((b) => (n++, this.sink.activeRegistrations(b.node, b.peer, -1)));
    if (n) this.sink.stateDropped('registration', reason, n);
  }

  private request(e: SipEvent, cseqMethod: string): void {
    // The request's own method (a CSeq of another method is malformed, but its method line is what it is).
    const method = e.method.toUpperCase() || cseqMethod;
    const key = `${e.callId}\n${e.branch}\n${e.cseq}\n${method}`;
    const known = this.txns.get(key);
    const peer = this.peers.peerOf(e.srcIp) !== 'other' ? this.peers.peerOf(e.srcIp) : this.peers.peerOf(e.dstIp);
    const label = methodLabel(method);
    if (known) {
      this.sink.retransmission(e.node, known.peer, label, 'request');
      return;
    }
    this.sink.request(e.node, peer, label);
    const initial = method === 'INVITE' && e.toTag === '';
    if (
      !this.txns.add(key, { method, node: e.node, peer, codes: [], initial }, e.ts, () => this.sink.stateDropped('transaction', 'evicted'))
    ) {
      this.sink.stateDropped('transaction', 'full');
    }
    switch (method) {
      case 'INVITE':
        return initial ? this.invite(e, peer) : this.reInvite(e);
      case 'CANCEL': {
        const call = this.calls.get(e.callId);
        if (call && (call.state === 'setup' || call.state === 'challenged')) call.cancelled = true;
        else if (!call && !this.ended.get(e.callId)) this.sink.anomaly('cancel_without_invite');
        return;
      }
      case 'BYE':
        return this.bye(e);
      case 'ACK':
        if (!this.calls.get(e.callId) && !this.ended.get(e.callId)) this.sink.anomaly('ack_without_invite');
        return;
      case 'REGISTER': {
        const reg = this.regs.get(e.callId);
        if (reg) this.regs.touch(e.callId, e.ts);
        else if (
          !this.regs.add(e.callId, { node: e.node, peer, firstTs: e.ts }, e.ts, () => this.sink.stateDropped('transaction', 'evicted'))
        ) {
          this.sink.stateDropped('transaction', 'full');
        }
        return;
      }
    }
  }

  private invite(e: SipEvent, peer: string): void {
    const call = this.calls.get(e.callId);
    if (call) {
      this.calls.touch(e.callId, e.ts);
      // After a challenge: the INVITE with credentials, a new attempt for SRD (setup time keeps its start).
      if (call.state === 'challenged') {
        call.state = 'setup';
        call.inviteTs = e.ts;
        call.srdDone = false;
      }
      // Otherwise the same INVITE on a further hop (another top Via branch): one call.
      return;
    }
    this.ended.delete(e.callId);
    const fresh: Call = {
      node: e.node,
      peer,
      state: 'setup',
      firstInviteTs: e.ts,
      inviteTs: e.ts,
      srdDone: false,
      cancelled: false,
      answerTs: 0,
    };
    if (!this.calls.add(e.callId, fresh, e.ts, (c) => (this.sink.stateDropped('call', 'evicted'), this.dropCall(c))))
      this.sink.stateDropped('call', 'full');
  }

  private reInvite(e: SipEvent): void {
    if (this.calls.get(e.callId)) this.calls.touch(e.callId, e.ts);
    else if (!this.ended.get(e.callId)) this.sink.anomaly('in_dialog_without_call');
  }

  private bye(e: SipEvent): void {
    const call = this.calls.get(e.callId);
    if (!call) {
      if (!this.ended.get(e.callId)) this.sink.anomaly('bye_without_call');
      return;
    }
    if (call.state === 'answered') {
      this.sink.callDuration(call.node, call.peer, Math.max(0, e.ts - call.answerTs));
      this.sink.activeCalls(call.node, call.peer, -1);
      this.endCall(e.callId, e.ts);
    }
    // A BYE in an early dialog: the INVITE's final reply (487) still decides the outcome.
  }

  private response(e: SipEvent, cseqMethod: string): void {
    const key = `${e.callId}\n${e.branch}\n${e.cseq}\n${cseqMethod}`;
    const txn = this.txns.get(key);
    const label = methodLabel(cseqMethod);
    if (!txn) {
      // The reply goes the other way: its destination is the request's source.
      const peer = this.peers.peerOf(e.dstIp) !== 'other' ? this.peers.peerOf(e.dstIp) : this.peers.peerOf(e.srcIp);
      this.sink.response(e.node, peer, label, e.code);
      this.sink.anomaly('response_without_request');
      return;
    }
    const codeKey = `${e.code}/${e.toTag}`;
    if (txn.codes.includes(codeKey)) {
      this.sink.retransmission(e.node, txn.peer, label, 'response');
      return;
    }
    if (txn.codes.length < MAX_CODES) txn.codes.push(codeKey);
    this.sink.response(e.node, txn.peer, label, e.code);
    if (txn.initial) this.inviteResponse(e);
    else if (txn.method === 'REGISTER' && e.code >= 200) this.registerResponse(e);
  }

  private inviteResponse(e: SipEvent): void {
    const call = this.calls.get(e.callId);
    if (!call || e.code === 100) return;
    this.calls.touch(e.callId, e.ts);
    if (!call.srdDone && e.code < 300) {
      call.srdDone = true;
      this.sink.srd(call.node, call.peer, Math.max(0, e.ts - call.inviteTs));
    }
    if (e.code < 200 || call.state !== 'setup') return; // further forks' replies after the first final one
    if (e.code < 300) {
      call.state = 'answered';
      call.answerTs = e.ts;
      this.sink.callOutcome(call.node, call.peer, 'answered');
      this.sink.callSetup(call.node, call.peer, Math.max(0, e.ts - call.firstInviteTs));
      this.sink.activeCalls(call.node, call.peer, 1);
      return;
    }
    if (e.code === 401 || e.code === 407) {
      call.state = 'challenged';
      return;
    }
    this.sink.callOutcome(call.node, call.peer, call.cancelled ? 'cancelled' : outcomeOfCode(e.code));
    this.endCall(e.callId, e.ts);
  }

  private registerResponse(e: SipEvent): void {
    if (e.code === 401 || e.code === 407) return; // the exchange goes on with credentials
    const reg = this.regs.delete(e.callId);
    if (!reg) return;
    this.sink.rrd(reg.node, reg.peer, Math.max(0, e.ts - reg.firstTs));
    if (e.code >= 300 || e.aor === '') return;
    const expires = e.expires >= 0 ? e.expires : this.defaultExpires;
    const held = this.bindings.get(e.aor);
    if (expires === 0) {
      if (held) {
        this.bindings.delete(e.aor);
        this.sink.activeRegistrations(held.node, held.peer, -1);
      }
    } else if (held) {
      this.bindings.touch(e.aor, e.ts, expires);
    } else if (this.bindings.add(e.aor, { node: reg.node, peer: reg.peer }, e.ts, (b) => this.dropBinding(b, 'evicted'), expires)) {
      this.sink.activeRegistrations(reg.node, reg.peer, 1);
    } else {
      this.sink.stateDropped('registration', 'full');
    }
  }

  private endCall(callId: string, ts: number): void {
    this.calls.delete(callId);
    this.ended.add(callId, true, ts, () => undefined);
  }

  /** A call dropped without its end seen: an answered one leaves the active calls. */
  private dropCall(c: Call): void {
    if (c.state === 'answered') this.sink.activeCalls(c.node, c.peer, -1);
  }

  private dropBinding(b: Binding, reason: DropReason): void {
    this.sink.activeRegistrations(b.node, b.peer, -1);
    this.sink.stateDropped('registration', reason);
  }

  private expire(): void {
    const now = this.now;
    this.expiredAt = now;
    this.txns.expire(now, () => undefined);
    this.regs.expire(now, () => undefined);
    this.ended.expire(now, () => undefined);
    this.calls.expire(now, (c) => {
      // A CANCEL whose 487 was never seen still cancelled the attempt; anything else is not guessed.
      if (c.cancelled && c.state !== 'answered') this.sink.callOutcome(c.node, c.peer, 'cancelled' satisfies CallOutcome);
      else this.sink.stateDropped('call', 'expired');
      this.dropCall(c);
    });
    // A registration expiring is its normal end, not lost state.
    this.bindings.expire(now, (b) => this.sink.activeRegistrations(b.node, b.peer, -1));
  }
}
