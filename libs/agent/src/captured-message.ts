import type { BuildRecordInput } from '@sipcap/record';
import { MicroClock } from './micro-clock';

/**
 * One SIP message as a capture agent received it, before parsing: from HEP or from a raw packet. The
 * addresses, transport, time, correlation id and capture id are those a record is built from.
 */
export type CapturedMessage = Omit<BuildRecordInput, 'sip' | 'msg'> & { payload: Buffer };

/** IP protocol number (as in HEP and IP headers) to Kamailio's `proto` column. */
export function protoFromIpProto(ipProto: number): number {
  switch (ipProto) {
    case 6:
      return 2;
    case 132:
      return 4;
    default:
      return 1;
  }
}

const clock = new MicroClock();

/** The agent's clock in microseconds since the epoch, for packets that carry no time. */
export function nowMicros(): bigint {
  return clock.now();
}
