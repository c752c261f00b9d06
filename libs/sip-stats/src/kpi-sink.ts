/** How a call attempt ended (from the final response to its INVITE, or its CANCEL). */
export const CALL_OUTCOMES = ['answered', 'busy', 'no_answer', 'cancelled', 'rejected', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * Sequences that the tracker counts instead of guessing: messages of a call or transaction it has no
 * state of (state lost to a restart, a rebalance, an expiry, or capture that missed the start), and
 * records it cannot read. A closed list: they are metric labels.
 */
export const ANOMALY_REASONS = [
  'bad_cseq', // no "number METHOD" CSeq
  'bad_status', // a reply without a status code 100-699
  'no_callid',
  'response_without_request', // a reply whose transaction (Call-ID, branch, CSeq) was not seen
  'bye_without_call', // a BYE of a Call-ID without an INVITE seen
  'cancel_without_invite', // a CANCEL of no call attempt being set up
  'ack_without_invite',
  'in_dialog_without_call', // a re-INVITE (To tag) of a call not seen
  'undecodable', // a Kafka value or record that does not decode
  'rtcp_bad_json', // an RTCP report record whose msg is not the RTCP JSON
] as const;
export type AnomalyReason = (typeof ANOMALY_REASONS)[number];

/** What kind of state was dropped, and why (sipcap_stats_state_dropped_total). */
export type StateKind = 'call' | 'transaction' | 'registration';
export const STATE_KINDS: readonly StateKind[] = ['call', 'transaction', 'registration'];
/** expired: no message within its time; evicted: the oldest, to make room; full: not stored at all; rebalance: its partition went to another instance. */
export const DROP_REASONS = ['expired', 'evicted', 'full', 'rebalance'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Where the tracker's figures go: the app's prom-client metrics, or a recorder in tests. Times in seconds. */
export interface KpiSink {
  request(node: string, peer: string, method: string): void;
  response(node: string, peer: string, method: string, code: number): void;
  retransmission(node: string, peer: string, method: string, type: 'request' | 'response'): void;
  callOutcome(node: string, peer: string, outcome: CallOutcome): void;
  srd(node: string, peer: string, seconds: number): void;
  rrd(node: string, peer: string, seconds: number): void;
  callSetup(node: string, peer: string, seconds: number): void;
  callDuration(node: string, peer: string, seconds: number): void;
  activeCalls(node: string, peer: string, delta: number): void;
  activeRegistrations(node: string, peer: string, delta: number): void;
  anomaly(reason: AnomalyReason): void;
  stateDropped(kind: StateKind, reason: DropReason, count?: number): void;
}

/** The outcome a final INVITE response (>= 300, not a 401/407 challenge) gives a call attempt. */
export function outcomeOfCode(code: number): CallOutcome {
  if (code >= 200 && code < 300) return 'answered';
  if (code === 486 || code === 600) return 'busy';
  if (code === 480) return 'no_answer';
  if (code === 487) return 'cancelled';
  // Timeouts and server failures are the network's; the rest is the callee or its policy refusing.
  if (code === 408 || (code >= 500 && code < 600)) return 'failed';
  return 'rejected';
}

/** Methods kept as label values; any other is `other` (the label stays bounded whatever the traffic). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'REGISTER',
  'OPTIONS',
  'PRACK',
  'UPDATE',
  'INFO',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
]);
export const methodLabel = (m: string): string => (KNOWN_METHODS.has(m) ? m : 'other');
