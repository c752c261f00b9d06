import { describe, expect, it } from 'vitest';
import { loadConfig } from '@sipcap/config';
import { RAW_AGENT_SETTINGS, rawSettingsProblem } from './raw-settings';

const settings = (env: Record<string, string>) => loadConfig(RAW_AGENT_SETTINGS, { env });

describe('rawSettingsProblem', () => {
  const mirror = { RAW_MONI_CAPTURE_ON: '1', RAW_SOCKET_LISTEN: '0.0.0.0:5060', RAW_INTERFACE: 'eth0' };
  const ipip = { RAW_IPIP_CAPTURE_ON: '1', RAW_SOCKET_LISTEN: '10.0.0.5', RAW_INTERFACE: 'eth0' };

  it('accepts a complete setting for each mode', () => {
    expect(rawSettingsProblem('mirror', settings(mirror))).toBeUndefined();
    expect(rawSettingsProblem('ipip', settings(ipip))).toBeUndefined();
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RAW_INTERFACE: '', PCAP_FILE: '/tmp/x.pcap' }))).toBeUndefined();
  });

  it('refuses the other raw mode, with or without its own', () => {
    expect(rawSettingsProblem('ipip', settings({ ...ipip, RAW_MONI_CAPTURE_ON: '1' }))).toMatch(
      /^RAW_MONI_CAPTURE_ON=1 is not for ipip-agent: one raw mode per agent/,
    );
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RAW_IPIP_CAPTURE_ON: '1' }))).toMatch(
      /^RAW_IPIP_CAPTURE_ON=1 is not for mirror-agent/,
    );
  });

  it('requires the own mode to be on', () => {
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RAW_MONI_CAPTURE_ON: '0' }))).toMatch(/^RAW_MONI_CAPTURE_ON is not on/);
  });

  it('requires RAW_SOCKET_LISTEN, an IPv4 one for IPIP, and an interface or file', () => {
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RAW_SOCKET_LISTEN: '' }))).toMatch(/^RAW_SOCKET_LISTEN is not set/);
    expect(rawSettingsProblem('ipip', settings({ ...ipip, RAW_SOCKET_LISTEN: '[fd00::1]:5060' }))).toMatch(/needs an IPv4 address/);
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RAW_INTERFACE: '' }))).toMatch(/^RAW_INTERFACE is not set/);
  });

  it('takes RTCP_PORT_RANGE in mirror mode with one decoding thread only', () => {
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RTCP_PORT_RANGE: '10000-20000' }))).toBeUndefined();
    expect(rawSettingsProblem('mirror', settings({ ...mirror, RTCP_PORT_RANGE: '10000-20000', RAW_SOCK_CHILDREN: '2' }))).toMatch(
      /^RTCP_PORT_RANGE needs RAW_SOCK_CHILDREN=1 \(got 2\)/,
    );
    expect(rawSettingsProblem('ipip', settings({ ...ipip, RTCP_PORT_RANGE: '10000-20000' }))).toMatch(
      /^RTCP_PORT_RANGE is for mirror-agent/,
    );
    expect(settings({ ...mirror, RTCP_PORT_RANGE: ' 10000 - 20000 ' }).RTCP_PORT_RANGE).toEqual({ from: 10000, to: 20000 });
    expect(settings({ ...mirror, RTCP_PORT_RANGE: '' }).RTCP_PORT_RANGE).toBeUndefined();
    expect(() => settings({ ...mirror, RTCP_PORT_RANGE: '20000-10000' })).toThrow(/RTCP_PORT_RANGE/);
    expect(() => settings({ ...mirror, RTCP_PORT_RANGE: '0-70000' })).toThrow(/RTCP_PORT_RANGE/);
  });
});
