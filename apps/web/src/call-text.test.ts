import { describe, expect, it } from 'vitest';
import { callText } from './call-text';

describe('callText', () => {
  it('puts a header line over each message and keeps its bytes', () => {
    const invite = Buffer.from('INVITE sip:bob@b SIP/2.0\r\nCall-ID: x\r\n\r\n');
    const odd = Buffer.from([0x4f, 0x4b, 0xff, 0x00, 0x21]); // not UTF-8, no final newline
    const text = callText([
      { micro_ts: '1736935200123456', source_ip: '10.0.0.1', source_port: 5060, destination_ip: '10.0.0.2', destination_port: 5080, proto: 1, msg: invite },
      { micro_ts: '1736935201000000', source_ip: '2001:db8::1', source_port: 5061, destination_ip: '2001:db8::2', destination_port: 5062, proto: 2, msg: odd },
    ]);
    const expected = Buffer.concat([
      Buffer.from('2025-01-15 10:00:00.123456 10.0.0.1:5060 -> 10.0.0.2:5080 UDP\n'),
      invite,
      Buffer.from('\n2025-01-15 10:00:01.000000 [2001:db8::1]:5061 -> [2001:db8::2]:5062 TCP\n'),
      odd,
      Buffer.from('\n\n'),
    ]);
    expect(text.equals(expected)).toBe(true);
  });
});
