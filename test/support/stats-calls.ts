import { testing, type PcapWriteRecord } from '@sipcap/packet';

/** Addresses of the known calls: the caller (no peer), carrierA (203.0.113.0/24), carrierB (198.51.100.0/24). */
export const CALLER = '10.1.1.1';
export const CARRIER_A = '203.0.113.9';
export const CARRIER_B = '198.51.100.7';
export const STATS_PEERS = 'carrierA=203.0.113.0/24,carrierB=198.51.100.0/24';

interface Msg {
  /** Seconds after the call's start. */
  at: number;
  /** Request method, or a reply status. */
  method?: string;
  status?: number;
  cseq: string;
  branch: string;
  toTag?: string;
  extra?: string[];
}

const REASON: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  401: 'Unauthorized',
  403: 'Forbidden',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  503: 'Service Unavailable',
};

function sip(callId: string, m: Msg, register = false): Buffer {
  const first =
    m.status !== undefined
      ? `SIP/2.0 ${m.status} ${REASON[m.status]}`
      : `${m.method} sip:${register ? 'example.com' : 'bob@example.com'} SIP/2.0`;
  const user = register ? 'alice' : 'bob';
  const lines = [
    first,
    `Via: SIP/2.0/UDP ${CALLER}:5060;branch=${m.branch}`,
    `From: <sip:alice@example.com>;tag=from-${callId.length}`,
    `To: <sip:${user}@example.com>${m.toTag ? `;tag=${m.toTag}` : ''}`,
    `Call-ID: ${callId}`,
    `CSeq: ${m.cseq}`,
    ...(m.extra ?? []),
    'Content-Length: 0',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
}

interface CallSpec {
  name: string;
  carrier: string;
  register?: boolean;
  msgs: Msg[];
}

const inv = (at: number, branch = 'z9hG4bKi1'): Msg => ({ at, method: 'INVITE', cseq: '1 INVITE', branch });
const rep = (at: number, status: number, branch = 'z9hG4bKi1', cseq = '1 INVITE'): Msg => ({
  at,
  status,
  cseq,
  branch,
  toTag: status > 100 ? 'tt' : undefined,
});
const ack = (at: number, branch = 'z9hG4bKi1'): Msg => ({ at, method: 'ACK', cseq: '1 ACK', branch, toTag: 'tt' });

/**
 * The known calls, whose KPIs the test knows exactly: per peer, the outcomes; SRD, setup and duration
 * figures in the comments. Requests are sent by the caller, replies by the carrier.
 */
const CALLS: CallSpec[] = [
  // answered: SRD 0.3, setup 2.3, duration 60
  {
    name: 'answered',
    carrier: CARRIER_A,
    msgs: [
      inv(0),
      rep(0.05, 100),
      rep(0.3, 180),
      rep(2.3, 200),
      ack(2.4, 'z9hG4bKa2'),
      { at: 62.3, method: 'BYE', cseq: '2 BYE', branch: 'z9hG4bKb3', toTag: 'tt' },
      rep(62.35, 200, 'z9hG4bKb3', '2 BYE'),
    ],
  },
  // answered, INVITE retransmitted once, no BYE (stays active): SRD 1.0 (183), setup 4
  {
    name: 'answered-retrans',
    carrier: CARRIER_A,
    msgs: [inv(0), inv(0.5), rep(0.6, 100), rep(1.0, 183), rep(4, 200), ack(4.1, 'z9hG4bKa2')],
  },
  { name: 'busy', carrier: CARRIER_A, msgs: [inv(0), rep(0.1, 100), rep(1.2, 486), ack(1.25)] },
  // no answer: SRD 0.2
  { name: 'noanswer', carrier: CARRIER_A, msgs: [inv(0), rep(0.2, 180), rep(30.2, 480), ack(30.25)] },
  // cancelled: SRD 0.4
  {
    name: 'cancel',
    carrier: CARRIER_A,
    msgs: [
      inv(0),
      rep(0.4, 180),
      { at: 5, method: 'CANCEL', cseq: '1 CANCEL', branch: 'z9hG4bKi1' },
      rep(5.02, 200, 'z9hG4bKi1', '1 CANCEL'),
      rep(5.03, 487),
      ack(5.04),
    ],
  },
  { name: 'rejected', carrier: CARRIER_B, msgs: [inv(0), rep(0.3, 403), ack(0.31)] },
  { name: 'failed', carrier: CARRIER_B, msgs: [inv(0), rep(0.1, 100), rep(2, 503), ack(2.01)] },
  // REGISTER challenged then accepted: RRD 0.15, one active registration (Expires 600)
  {
    name: 'register',
    carrier: CARRIER_A,
    register: true,
    msgs: [
      { at: 0, method: 'REGISTER', cseq: '1 REGISTER', branch: 'z9hG4bKr1', extra: ['Expires: 600'] },
      { ...rep(0.02, 401, 'z9hG4bKr1', '1 REGISTER'), extra: ['WWW-Authenticate: Digest realm="example.com", nonce="abc"'] },
      { at: 0.1, method: 'REGISTER', cseq: '2 REGISTER', branch: 'z9hG4bKr2', extra: ['Expires: 600'] },
      { ...rep(0.15, 200, 'z9hG4bKr2', '2 REGISTER'), extra: ['Expires: 600'] },
    ],
  },
  // a BYE of no call seen: counted as unexpected
  { name: 'orphan-bye', carrier: CARRIER_A, msgs: [{ at: 0, method: 'BYE', cseq: '7 BYE', branch: 'z9hG4bKo1', toTag: 'tt' }] },
];

/** What the known calls give, once. */
export const EXPECTED = {
  outcomes: { carrierA: { answered: 2, busy: 1, no_answer: 1, cancelled: 1 }, carrierB: { rejected: 1, failed: 1 } },
  asr: { carrierA: 2 / 5, carrierB: 0 },
  ner: { carrierA: 1, carrierB: 1 / 2 },
  srd: [0.3, 1.0, 0.2, 0.4],
  setup: [2.3, 4],
  duration: [60],
  rrd: [0.15],
  retransmittedInvites: 1,
  activeCalls: 1,
  activeRegistrations: 1,
  byeWithoutCall: 1,
};

/** The frames of the known calls (Call-IDs prefixed), calls one after another from `t0` (µs), 100 s apart. */
export function knownCallFrames(prefix: string, t0: bigint): PcapWriteRecord[] {
  const out: PcapWriteRecord[] = [];
  CALLS.forEach((c, i) => {
    const callId = `${prefix}-${c.name}@stats.test`;
    const start = t0 + BigInt(i) * 100_000_000n;
    for (const m of c.msgs) {
      const fromCaller = m.method !== undefined;
      const [srcIp, dstIp] = fromCaller ? [CALLER, c.carrier] : [c.carrier, CALLER];
      out.push({
        tsMicros: start + BigInt(Math.round(m.at * 1e6)),
        frame: testing.buildEthernetIpv4Udp({ srcIp, dstIp, srcPort: 5060, dstPort: 5060, payload: sip(callId, m, c.register) }),
      });
    }
  });
  return out;
}
