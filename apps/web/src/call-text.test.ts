import { describe, expect, it } from 'vitest';
import { callText } from './call-text';

describe('callText', () => {
  it('puts a header line over each message and keeps its bytes', () => {
    const invite = Buffer.from('INVITE sip:bob@b SIP/2.0\r\nCall-ID: x\r\n\r\n');
    const odd = Buffer.from([0x4f, 0x4b, 0xff, 0x00, 0x21]); // not UTF-8, no final newline
    const text = callText([
      {
        micro_ts: '1736935200123456',
        source_ip: '10.0.0.1',
        source_port: 5060,
        destination_ip: '10.0.0.2',
        destination_port: 5080,
        proto: 1,
        msg: invite,
      },
      {
        micro_ts: '1736935201000000',
        source_ip: '2001:db8::1',
        source_port: 5061,
        destination_ip: '2001:db8::2',
        destination_port: 5062,
        proto: 2,
        msg: odd,
      },
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

  it('lists the RTCP, QoS reports and log lines among the messages in time order, messages first at equal times', () => {
    const m = (ts: string, body: string) => ({
      micro_ts: ts,
      source_ip: '10.0.0.1',
      source_port: 5060,
      destination_ip: '10.0.0.2',
      destination_port: 5060,
      proto: 1,
      msg: Buffer.from(body),
    });
    const r = (kind: 'rtcp' | 'report' | 'logs', ts: string, msg: string, type: number) => ({
      kind,
      table: `${kind}_t`,
      micro_ts: ts,
      source_ip: '10.0.0.3',
      source_port: 30001,
      destination_ip: '10.0.0.4',
      destination_port: 30003,
      proto: 1,
      type,
      msg,
    });
    const text = callText([m('1736935200000000', 'INVITE\n'), m('1736935203000000', 'BYE\n')], {
      rtcp: [r('rtcp', '1736935202000000', '{"ssrc":1}', 3), r('rtcp', '1736935203000000', '{"ssrc":2}', 3)],
      reports: [r('report', '1736935201000000', '{"MOS":4.1}', 2)],
      logs: [r('logs', '1736935199000000', 'log line ü', 5)],
    }).toString('utf8');
    expect(text).toBe(
      [
        '2025-01-15 09:59:59.000000 10.0.0.3:30001 -> 10.0.0.4:30003 UDP log (logs_t, type 5)',
        'log line ü',
        '',
        '2025-01-15 10:00:00.000000 10.0.0.1:5060 -> 10.0.0.2:5060 UDP',
        'INVITE',
        '',
        '2025-01-15 10:00:01.000000 10.0.0.3:30001 -> 10.0.0.4:30003 UDP QoS report (report_t, type 2)',
        '{"MOS":4.1}',
        '',
        '2025-01-15 10:00:02.000000 10.0.0.3:30001 -> 10.0.0.4:30003 UDP RTCP (rtcp_t, type 3)',
        '{"ssrc":1}',
        '',
        '2025-01-15 10:00:03.000000 10.0.0.1:5060 -> 10.0.0.2:5060 UDP',
        'BYE',
        '',
        '2025-01-15 10:00:03.000000 10.0.0.3:30001 -> 10.0.0.4:30003 UDP RTCP (rtcp_t, type 3)',
        '{"ssrc":2}',
        '',
        '',
      ].join('\n'),
    );
  });
});
