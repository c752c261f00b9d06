import { AGENT_SETTINGS } from '@sipcap/agent';
import type { Settings } from '@sipcap/config';
import { isIpv4Text } from './bpf-filter';

export type RawMode = 'ipip' | 'mirror';

/** The settings the raw agents read. */
export const RAW_AGENT_SETTINGS = [
  ...AGENT_SETTINGS,
  'RAW_IPIP_CAPTURE_ON',
  'RAW_MONI_CAPTURE_ON',
  'RAW_SOCKET_LISTEN',
  'RAW_INTERFACE',
  'RAW_SOCK_CHILDREN',
  'PROMISCUOUS_ON',
  'RAW_MONI_BPF_ON',
  'PCAP_FILE',
  'PCAP_PACE',
  'PCAP_BUFFER_MB',
  'RTCP_PORT_RANGE',
  'RTCP_SDP_MAX_ITEMS',
  'RTCP_SDP_MAX_MB',
  'RTCP_SDP_TTL_S',
] as const satisfies readonly (keyof Settings)[];

export type RawAgentSettings = Pick<Settings, (typeof RAW_AGENT_SETTINGS)[number]>;

const MODE_SETTING = { ipip: 'RAW_IPIP_CAPTURE_ON', mirror: 'RAW_MONI_CAPTURE_ON' } as const;
const MODE_AGENT = { ipip: 'ipip-agent', mirror: 'mirror-agent' } as const;

/**
 * Why these settings cannot run this raw agent, in one line naming the variable, or undefined when they
 * can. Checked before anything starts (the app prints it and exits 2, like a bad setting).
 */
export function rawSettingsProblem(mode: RawMode, c: RawAgentSettings): string | undefined {
  const own = MODE_SETTING[mode];
  const otherMode: RawMode = mode === 'ipip' ? 'mirror' : 'ipip';
  if (c[MODE_SETTING[otherMode]]) {
    return `${MODE_SETTING[otherMode]}=1 is not for ${MODE_AGENT[mode]}: one raw mode per agent (${otherMode} capture is ${MODE_AGENT[otherMode]}'s); set it to 0${c[own] ? '' : ` and ${own}=1`}`;
  }
  if (!c[own]) return `${own} is not on: ${MODE_AGENT[mode]} captures in ${mode} mode only when ${own}=1`;
  const listen = c.RAW_SOCKET_LISTEN;
  if (listen === undefined) {
    return mode === 'ipip'
      ? 'RAW_SOCKET_LISTEN is not set: expected the IPv4 address the IPIP copies are sent to, ip[:port[-port]] (e.g. 10.0.0.5:5060-5090)'
      : 'RAW_SOCKET_LISTEN is not set: expected ip[:port[-port]] giving the SIP ports to keep (the IP part is ignored in mirror mode, e.g. 0.0.0.0:5060-5090)';
  }
  if (mode === 'ipip' && !isIpv4Text(listen.ip)) return `RAW_SOCKET_LISTEN: IPIP mode needs an IPv4 address, got "${listen.ip}"`;
  if (c.RTCP_PORT_RANGE !== undefined) {
    if (mode === 'ipip') return 'RTCP_PORT_RANGE is for mirror-agent (IPIP copies carry signalling only); leave it empty for ipip-agent';
    // The SDP of a call and its RTCP travel between different hosts, so they would go to different workers.
    if (c.RAW_SOCK_CHILDREN > 1)
      return `RTCP_PORT_RANGE needs RAW_SOCK_CHILDREN=1 (got ${c.RAW_SOCK_CHILDREN}): RTCP is matched to its call through the SDP, which one decoding thread must see with it`;
  }
  if (c.PCAP_FILE === undefined && c.RAW_INTERFACE === undefined) {
    return 'RAW_INTERFACE is not set: name the interface to capture on (or set PCAP_FILE to read a capture file)';
  }
  return undefined;
}
