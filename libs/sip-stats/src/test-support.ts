import type { AnomalyReason, CallOutcome, DropReason, KpiSink, StateKind } from './kpi-sink';
import type { SipEvent } from './sip-event';

/** A KpiSink that keeps what it was told, for tests: counts by "name{labels}", observations by name. */
export class RecordingSink implements KpiSink {
  readonly counts = new Map<string, number>();
  readonly observed = new Map<string, number[]>();

  private add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  private observe(name: string, v: number): void {
    const list = this.observed.get(name) ?? [];
    list.push(Math.round(v * 1e6) / 1e6);
    this.observed.set(name, list);
  }
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  /** Counts whose key starts with `prefix`, as an object (for toEqual). */
  only(prefix: string): Record<string, number> {
    return Object.fromEntries([...this.counts].filter(([k, v]) => k.startsWith(prefix) && v !== 0));
  }

  request(node: string, peer: string, method: string) {
    this.add(`req ${node} ${peer} ${method}`);
  }
  response(node: string, peer: string, method: string, code: number) {
    this.add(`res ${node} ${peer} ${method} ${code}`);
  }
  retransmission(node: string, peer: string, method: string, type: 'request' | 'response') {
    this.add(`retrans ${node} ${peer} ${method} ${type}`);
  }
  callOutcome(node: string, peer: string, outcome: CallOutcome) {
    this.add(`call ${node} ${peer} ${outcome}`);
  }
  srd(_n: string, peer: string, s: number) {
    this.observe(`srd ${peer}`, s);
  }
  rrd(_n: string, peer: string, s: number) {
    this.observe(`rrd ${peer}`, s);
  }
  callSetup(_n: string, peer: string, s: number) {
    this.observe(`setup ${peer}`, s);
  }
  callDuration(_n: string, peer: string, s: number) {
    this.observe(`duration ${peer}`, s);
  }
  activeCalls(node: string, peer: string, d: number) {
    this.add(`active ${node} ${peer}`, d);
  }
  activeRegistrations(node: string, peer: string, d: number) {
    this.add(`regs ${node} ${peer}`, d);
  }
  anomaly(reason: AnomalyReason) {
    this.add(`anomaly ${reason}`);
  }
  stateDropped(kind: StateKind, reason: DropReason, n = 1) {
    this.add(`dropped ${kind} ${reason}`, n);
  }
}

/** Hand-built SIP messages of one call between a (10.0.0.1, the caller) and b (203.0.113.9, the carrier). */
export class Flow {
  constructor(
    readonly callId: string,
    readonly node = 'n1',
    readonly a = '10.0.0.1',
    readonly b = '203.0.113.9',
  ) {}

  req(ts: number, method: string, cseq: number, branch: string, opts: Partial<SipEvent> = {}): SipEvent {
    return this.event(ts, { isRequest: true, method, cseq: `${cseq} ${method}`, branch, srcIp: this.a, dstIp: this.b, ...opts });
  }

  res(ts: number, code: number, method: string, cseq: number, branch: string, opts: Partial<SipEvent> = {}): SipEvent {
    return this.event(ts, {
      isRequest: false,
      code,
      cseq: `${cseq} ${method}`,
      branch,
      srcIp: this.b,
      dstIp: this.a,
      toTag: code > 100 ? 'tt' : '',
      ...opts,
    });
  }

  private event(ts: number, e: Partial<SipEvent>): SipEvent {
    return {
      ts,
      node: this.node,
      srcIp: '',
      dstIp: '',
      isRequest: true,
      method: '',
      code: 0,
      cseq: '',
      callId: this.callId,
      branch: '',
      toTag: '',
      aor: '',
      expires: -1,
      ...e,
    };
  }
}
