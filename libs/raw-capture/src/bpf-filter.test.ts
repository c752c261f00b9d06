import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ipipFilter, isIpv4Text, mirrorFilter, withVlanVariants } from './bpf-filter';

/** Compiles with tcpdump when it is installed (the same libpcap compiler the agent uses). */
const tcpdump = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p));
function compiles(expr: string): boolean {
  try {
    execFileSync(tcpdump!, ['-d', '-y', 'EN10MB', expr], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('BPF filter expressions', () => {
  it('writes a single port as `port` and a range as `portrange`', () => {
    expect(mirrorFilter({ from: 5060, to: 5060 })).toContain('(udp or tcp) and port 5060)');
    expect(mirrorFilter({ from: 5060, to: 5090 })).toContain('(udp or tcp) and portrange 5060-5090)');
  });

  it('adds the UDP of RTCP_PORT_RANGE when RTCP is captured', () => {
    expect(mirrorFilter({ from: 5060, to: 5060 })).not.toContain('udp and portrange');
    expect(mirrorFilter({ from: 5060, to: 5060 }, { from: 10000, to: 20000 })).toContain(
      '((udp or tcp) and port 5060) or (udp and portrange 10000-20000) or',
    );
  });

  it('lets later IPv4 fragments and IPv6 fragments through the mirror filter', () => {
    const f = mirrorFilter({ from: 5060, to: 5060 });
    expect(f).toContain('ip[6:2] & 0x1fff != 0');
    expect(f).toContain('ip6[6] == 44');
  });

  it('nests the VLAN variants so each tag level sees its own offsets', () => {
    expect(withVlanVariants('udp')).toBe('(udp) or (vlan and ((udp) or (vlan and (udp))))');
  });

  it('filters IPIP by protocol 4 and the destination address', () => {
    expect(ipipFilter('10.0.0.1')).toContain('(ip proto 4 and dst host 10.0.0.1)');
  });

  it('refuses an IPIP address that is not IPv4 text', () => {
    expect(() => ipipFilter('fd00::1')).toThrow(/IPv4/);
    expect(() => ipipFilter('host.example')).toThrow(/IPv4/);
  });

  it('recognises dotted quads only', () => {
    expect(isIpv4Text('192.0.2.1')).toBe(true);
    expect(isIpv4Text('256.0.0.1')).toBe(false);
    expect(isIpv4Text('1.2.3')).toBe(false);
    expect(isIpv4Text('1.2.3.x')).toBe(false);
    expect(isIpv4Text('1..2.3')).toBe(false);
  });

  it.skipIf(!tcpdump)('produces expressions libpcap compiles', () => {
    expect(compiles(mirrorFilter({ from: 5060, to: 5090 }))).toBe(true);
    expect(compiles(mirrorFilter({ from: 5060, to: 5060 }))).toBe(true);
    expect(compiles(mirrorFilter({ from: 5060, to: 5060 }, { from: 10000, to: 20000 }))).toBe(true);
    expect(compiles(ipipFilter('10.203.0.1'))).toBe(true);
    expect(compiles('udp portrange 1-x')).toBe(false); // the check itself can fail
  });
});
